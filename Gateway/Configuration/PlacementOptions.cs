namespace CompositeGateway.Configuration;

/// <summary>
/// How pins spread over several underclusters (YAML section <c>placement</c>; docs/design/placement.md).
/// With one undercluster every policy is the same: the pin goes there, as it always did.
/// </summary>
internal sealed record PlacementOptions
{
    /// <summary><c>policy</c>: <c>replicate</c> (default), <c>spread</c> or <c>failover</c>.</summary>
    public PlacementPolicy Policy { get; init; } = PlacementPolicy.Replicate;

    /// <summary>
    /// <c>quorum</c> (replicate): how many underclusters must report a pin pinned; 0 = all of them.
    /// </summary>
    public int Quorum { get; init; }

    /// <summary><c>copies</c> (spread): how many underclusters each pin goes to (k).</summary>
    public int Copies { get; init; } = 1;

    /// <summary>
    /// <c>repo_stat_unreachable</c>: an undercluster whose free space cannot be read is <c>leave-out</c> (default:
    /// computed from the others, logged) or makes <c>repo/stat</c> <c>fail</c>.
    /// </summary>
    public RepoStatUnreachable RepoStatUnreachable { get; init; } = RepoStatUnreachable.LeaveOut;

    /// <summary>Underclusters that must report a pin pinned under <see cref="Policy"/>, given <paramref name="underclusters"/> configured.</summary>
    public int RequiredPlacements(int underclusters) => Policy switch
    {
        PlacementPolicy.Replicate => Quorum is > 0 and var q ? Math.Min(q, underclusters) : underclusters,
        PlacementPolicy.Spread => Math.Min(Copies, underclusters),
        _ => 1,
    };

    /// <summary>Every problem at once, each naming its key in the <c>placement</c> section (docs/development/style.md §4).</summary>
    public IReadOnlyList<OptionProblem> Validate(int underclusters)
    {
        var errors = new List<OptionProblem>();
        if (Quorum < 0)
        {
            errors.Add(new("quorum", "must not be negative (0 = every undercluster)"));
        }
        else if (underclusters > 0 && Quorum > underclusters)
        {
            errors.Add(new("quorum", $"{Quorum} is more than the {underclusters} configured underclusters"));
        }

        if (Copies < 1)
        {
            errors.Add(new("copies", "must be at least 1"));
        }
        else if (underclusters > 0 && Copies > underclusters)
        {
            errors.Add(new("copies", $"{Copies} is more than the {underclusters} configured underclusters"));
        }

        return errors;
    }
}

/// <summary>Values of <c>placement.policy</c>.</summary>
internal enum PlacementPolicy
{
    /// <summary>Every pin goes to every undercluster; pinned when <see cref="PlacementOptions.Quorum"/> of them report it pinned.</summary>
    Replicate,

    /// <summary>Each pin goes to <see cref="PlacementOptions.Copies"/> underclusters chosen from its CID by weighted rendezvous hashing.</summary>
    Spread,

    /// <summary>Each pin goes to the first healthy undercluster in configuration order.</summary>
    Failover,
}

/// <summary>Values of <c>placement.repo_stat_unreachable</c>.</summary>
internal enum RepoStatUnreachable
{
    LeaveOut,
    Fail,
}
