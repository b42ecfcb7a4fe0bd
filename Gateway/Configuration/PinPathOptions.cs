using System.Globalization;
using CompositeGateway.Go;

namespace CompositeGateway.Configuration;

/// <summary>
/// How the gateway turns the overcluster's pin requests into undercluster pins and decides when
/// they are "pinned" (YAML section <c>pin_path</c>; see docs/design/pin-path.md). Defaults live here.
/// </summary>
internal sealed record PinPathOptions
{
    /// <summary>
    /// <c>pin_wait</c>: <see cref="PinWaitMode.Pinned"/> (default) holds the overcluster's <c>pin/add</c>
    /// open until the undercluster really has the pin; <see cref="PinWaitMode.Accepted"/> answers once the
    /// pin is in the undercluster's pinset, like ipfs-cluster's own proxy (docs/protocol/ipfs-proxy-prior-art.md §6.1).
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
    /// one request line under the undercluster's header limit (docs/protocol/cluster-rest.md §1, <c>max_header_bytes</c>).
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
    /// so a concurrent join by another gateway is seen (docs/design/ownership.md).
    /// </summary>
    public TimeSpan UnpinRecheckDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary><c>addresses_cache</c>: how long the swarm addresses of the undercluster's daemons are reused.</summary>
    public TimeSpan AddressesCache { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>max_addresses</c>: most swarm addresses advertised in <c>id</c>.</summary>
    public int MaxAddresses { get; init; } = 64;

    /// <summary>
    /// Every broken rule at once, each naming its key in <c>pin_path</c> (docs/development/style.md §4). The loader calls this and
    /// adds lines; code that builds options directly gets the same rules.
    /// </summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        NotNegative(problems, "wait_limit", WaitLimit, "; 0 means no limit");
        if (PollInterval <= TimeSpan.Zero)
        {
            problems.Add(new("poll_interval", $"must be greater than 0 (was {GoDuration.Format(PollInterval)})"));
        }

        AtLeast(problems, "poll_batch_size", PollBatchSize, 1);

        // Room for one CID of any common length (a base32 sha2-512 CIDv1 is 113 characters); a longer CID still
        // goes alone in its own request.
        AtLeast(problems, "poll_batch_chars", PollBatchChars, 128);
        NotNegative(problems, "unreachable_after", UnreachableAfter, "; 0 fails a wait at the first failed poll");
        ValidateReplication(problems);

        // The prefix starts metadata keys sent as meta-<key> query parameters and shown by ipfs-cluster-ctl,
        // whose --metadata key=value splits at '='; whitespace makes keys that cannot be typed back unquoted.
        if (MetadataPrefix.Length == 0)
        {
            problems.Add(new("metadata_prefix", "must not be empty: it tells this gateway's metadata keys from everyone else's"));
        }
        else if (MetadataPrefix.Any(c => c == '=' || char.IsWhiteSpace(c)))
        {
            problems.Add(new("metadata_prefix", $"\"{MetadataPrefix}\" must contain no '=' and no whitespace"));
        }

        NotNegative(problems, "unpin_recheck_delay", UnpinRecheckDelay, "; 0 re-reads at once");
        NotNegative(problems, "addresses_cache", AddressesCache, "; 0 asks the undercluster every time");
        AtLeast(problems, "max_addresses", MaxAddresses, 0);
        return problems;
    }

    /// <summary>
    /// The combinations ipfs-cluster accepts once its defaults are applied (docs/protocol/cluster-rest.md §4): both −1
    /// (every peer) or 1 ≤ min ≤ max; plus both 0, which leaves both to the undercluster's own defaults.
    /// One 0 is refused: the undercluster would mix its default with ours and might reject every pin.
    /// </summary>
    private void ValidateReplication(List<OptionProblem> problems)
    {
        const string Allowed = "must be -1 (every peer), 0 (the undercluster's default) or a number of peers";
        var ok = true;
        foreach (var (key, value) in new[] { ("replication_min", ReplicationMin), ("replication_max", ReplicationMax) })
        {
            if (value < -1)
            {
                problems.Add(new(key, $"{Allowed} (was {value})"));
                ok = false;
            }
        }

        if (!ok)
        {
            return;
        }

        var pair = $"(replication_min {ReplicationMin}, replication_max {ReplicationMax})";
        if ((ReplicationMin == -1) != (ReplicationMax == -1))
        {
            var (key, related) = ReplicationMin == -1 ? ("replication_max", "replication_min") : ("replication_min", "replication_max");
            problems.Add(new(key, $"replication_min and replication_max must both be -1 when one of them is {pair}") { RelatedKey = related });
        }
        else if ((ReplicationMin == 0) != (ReplicationMax == 0))
        {
            var (key, related) = ReplicationMin == 0 ? ("replication_max", "replication_min") : ("replication_min", "replication_max");
            problems.Add(new(key, $"set both replication_min and replication_max, or neither for the undercluster's default {pair}") { RelatedKey = related });
        }
        else if (ReplicationMin > ReplicationMax)
        {
            problems.Add(new("replication_min", $"is larger than replication_max {pair}") { RelatedKey = "replication_max" });
        }
    }

    private static void NotNegative(List<OptionProblem> problems, string key, TimeSpan value, string meaningOfZero)
    {
        if (value < TimeSpan.Zero)
        {
            problems.Add(new(key, $"must not be negative{meaningOfZero} (was {GoDuration.Format(value)})"));
        }
    }

    private static void AtLeast(List<OptionProblem> problems, string key, int value, int minimum)
    {
        if (value < minimum)
        {
            problems.Add(new(key, $"must be at least {minimum} (was {value})"));
        }
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

/// <summary>How <see cref="PinWaitMode"/> is spelled in <c>gateway.yaml</c>.</summary>
internal static class PinWaitModeSyntax
{
    /// <summary>Every value, as written.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pinned", "accepted"];

    public static string ToYaml(this PinWaitMode mode) => mode switch
    {
        PinWaitMode.Pinned => "pinned",
        PinWaitMode.Accepted => "accepted",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    public static bool TryParse(string text, out PinWaitMode mode)
    {
        foreach (var candidate in Enum.GetValues<PinWaitMode>())
        {
            if (candidate.ToYaml() == text)
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }
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

    /// <summary>Parses the YAML value; null with <paramref name="error"/> (the value and the forms allowed) when it is none of them.</summary>
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

        error = $"\"{text}\" is not min, all-allocated or a number of peers (1 or more)";
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
