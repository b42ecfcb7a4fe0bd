using System.Globalization;

namespace CompositeGateway.Composition;

/// <summary>
/// How the gateway turns the overcluster's pin requests into undercluster pins and decides when
/// they are "pinned" (YAML section <c>pin_path</c>; see docs-snippets/pin-path.md). Defaults live here.
/// </summary>
internal sealed record PinPathOptions
{
    /// <summary>
    /// <c>pin_wait</c>: <see cref="PinWaitMode.Pinned"/> (default) holds the overcluster's <c>pin/add</c>
    /// open until the undercluster really has the pin; <see cref="PinWaitMode.Accepted"/> answers once the
    /// pin is in the undercluster's pinset, like ipfs-cluster's own proxy (prior-art-ipfsproxy.md §6.1).
    /// </summary>
    public PinWaitMode PinWait { get; init; } = PinWaitMode.Pinned;

    /// <summary><c>pinned_when</c>: how many undercluster peers must report <c>pinned</c>.</summary>
    public PinnedWhen PinnedWhen { get; init; } = PinnedWhen.Min;

    /// <summary><c>wait_limit</c>: a pin wait fails after this long; zero = no limit.</summary>
    public TimeSpan WaitLimit { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>poll_interval</c>: how often the shared status poller asks the undercluster about pins being waited on.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>poll_batch_size</c>: most CIDs per <c>GET /pins?cids=</c> request.</summary>
    public int PollBatchSize { get; init; } = 100;

    /// <summary>
    /// <c>poll_batch_chars</c>: most characters of CIDs (with commas) per status request, so that one batch is
    /// one request line under the undercluster's header limit (cluster-rest-api.md §1, <c>max_header_bytes</c>).
    /// </summary>
    public int PollBatchChars { get; init; } = 5000;

    /// <summary>
    /// <c>unreachable_after</c>: a pin wait fails once every status poll for this long has failed
    /// (the undercluster is unreachable, answers errors, or hangs).
    /// </summary>
    public TimeSpan UnreachableAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>replication_min</c> sent with pins the gateway creates; 0 = the undercluster's own default.</summary>
    public int ReplicationMin { get; init; }

    /// <summary><c>replication_max</c> sent with pins the gateway creates; 0 = the undercluster's own default.</summary>
    public int ReplicationMax { get; init; }

    /// <summary><c>metadata_prefix</c>: prefix of the metadata keys the gateway writes on undercluster pins.</summary>
    public string MetadataPrefix { get; init; } = "composite-gateway/";

    /// <summary>
    /// <c>unpin_recheck_delay</c>: before deleting a pin whose last owner leaves, wait this long and re-read it,
    /// so a concurrent join by another gateway is seen (docs-snippets/ownership.md).
    /// </summary>
    public TimeSpan UnpinRecheckDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary><c>addresses_cache</c>: how long the swarm addresses of the undercluster's daemons are reused.</summary>
    public TimeSpan AddressesCache { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>max_addresses</c>: most swarm addresses advertised in <c>id</c>.</summary>
    public int MaxAddresses { get; init; } = 64;

    /// <summary>Every problem at once, each naming its YAML key (STYLE.md 4).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WaitLimit < TimeSpan.Zero)
        {
            errors.Add("pin_path.wait_limit: must not be negative (0 = no limit)");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add("pin_path.poll_interval: must be positive");
        }

        if (PollBatchSize < 1)
        {
            errors.Add("pin_path.poll_batch_size: must be at least 1");
        }

        if (PollBatchChars < 128)
        {
            errors.Add("pin_path.poll_batch_chars: must be at least 128");
        }

        if (UnreachableAfter < TimeSpan.Zero)
        {
            errors.Add("pin_path.unreachable_after: must not be negative");
        }

        if (ReplicationMin < -1 || ReplicationMax < -1)
        {
            errors.Add("pin_path.replication_min/replication_max: must be -1 (everywhere), 0 (undercluster default) or positive");
        }
        else if ((ReplicationMin == -1) != (ReplicationMax == -1))
        {
            errors.Add("pin_path.replication_min/replication_max: must both be -1 when one of them is");
        }
        else if (ReplicationMin > 0 && ReplicationMax > 0 && ReplicationMin > ReplicationMax)
        {
            errors.Add("pin_path.replication_min: larger than replication_max");
        }
        else if ((ReplicationMin == 0) != (ReplicationMax == 0))
        {
            errors.Add("pin_path.replication_min/replication_max: set both or neither (0 = undercluster default)");
        }

        if (string.IsNullOrEmpty(MetadataPrefix) || MetadataPrefix.Contains('='))
        {
            errors.Add("pin_path.metadata_prefix: must be non-empty and contain no '='");
        }

        if (UnpinRecheckDelay < TimeSpan.Zero)
        {
            errors.Add("pin_path.unpin_recheck_delay: must not be negative");
        }

        if (AddressesCache < TimeSpan.Zero)
        {
            errors.Add("pin_path.addresses_cache: must not be negative");
        }

        if (MaxAddresses < 0)
        {
            errors.Add("pin_path.max_addresses: must not be negative");
        }

        return errors;
    }
}

/// <summary>Values of <c>pin_wait</c>.</summary>
internal enum PinWaitMode
{
    /// <summary><c>pinned</c>: the wait ends when the undercluster reports the pin pinned by the rule.</summary>
    Pinned,

    /// <summary><c>accepted</c>: the wait ends when the pin is in the undercluster's pinset.</summary>
    Accepted,
}

/// <summary>
/// Values of <c>pinned_when</c>: <c>min</c> (the pin's <c>replication_factor_min</c>, at least 1),
/// <c>all-allocated</c> (every allocated peer) or a number of peers.
/// Replicate-everywhere pins (−1/−1) need every peer under <c>min</c> and <c>all-allocated</c>.
/// </summary>
internal readonly record struct PinnedWhen
{
    private PinnedWhen(PinnedWhenKind kind, int peers)
    {
        Kind = kind;
        Peers = peers;
    }

    public PinnedWhenKind Kind { get; }

    /// <summary>For <see cref="PinnedWhenKind.Count"/>: the number of peers.</summary>
    public int Peers { get; }

    public static PinnedWhen Min => new(PinnedWhenKind.Min, 0);

    public static PinnedWhen AllAllocated => new(PinnedWhenKind.AllAllocated, 0);

    public static PinnedWhen Count(int peers) =>
        peers >= 1 ? new(PinnedWhenKind.Count, peers) : throw new ArgumentOutOfRangeException(nameof(peers), "at least one peer");

    /// <summary>Parses the YAML value; null with <paramref name="error"/> set when it is none of the forms.</summary>
    public static PinnedWhen? Parse(string text, out string? error)
    {
        error = null;
        switch (text.Trim())
        {
            case "min":
                return Min;
            case "all-allocated":
                return AllAllocated;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var peers) && peers >= 1)
        {
            return Count(peers);
        }

        error = $"pin_path.pinned_when: '{text}' is not min, all-allocated or a number of peers ≥ 1";
        return null;
    }

    public override string ToString() => Kind switch
    {
        PinnedWhenKind.Min => "min",
        PinnedWhenKind.AllAllocated => "all-allocated",
        _ => Peers.ToString(CultureInfo.InvariantCulture),
    };
}

internal enum PinnedWhenKind
{
    Min,
    AllAllocated,
    Count,
}
