using System.Globalization;
using CompositeGateway.Go;

namespace CompositeGateway.Clusters;

/// <summary>
/// The pin options of <c>POST /pins/…</c> and <c>POST /add</c>, rendered as the query parameters
/// of docs/protocol/cluster-rest.md §4. They are validated here before sending because the server, on a parse error, answers
/// 400 yet still pins with the options parsed so far (§1.2 caveat), and silently drops
/// undecodable user allocations and empty metadata keys (§4).
/// </summary>
internal sealed record PinRequest
{
    /// <summary>Pin name; null or empty sends none.</summary>
    public string? Name { get; init; }

    public PinMode Mode { get; init; } = PinMode.Recursive;

    /// <summary>−1 = every peer, 0 = the undercluster's default, else at least 1 and ≤ max. Null sends nothing (= 0).</summary>
    public int? ReplicationMin { get; init; }

    /// <inheritdoc cref="ReplicationMin"/>
    public int? ReplicationMax { get; init; }

    public ulong? ShardSize { get; init; }

    /// <summary>Priority peer IDs (cluster peers, not IPFS peers).</summary>
    public IReadOnlyList<string> UserAllocations { get; init; } = [];

    /// <summary>When the undercluster unpins by itself (docs/protocol/cluster-rest.md §7); null or Go's zero time = never.</summary>
    public DateTimeOffset? ExpireAt { get; init; }

    /// <summary>Sent as one <c>meta-&lt;key&gt;</c> parameter each; a re-pin replaces the whole map (docs/protocol/cluster-rest.md §5.7).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>CID of an existing pin whose allocations and options the new pin copies (docs/protocol/cluster-rest.md §7).</summary>
    public string? PinUpdate { get; init; }

    /// <summary>Multiaddresses with <c>/p2p/&lt;id&gt;</c> where the content can be fetched.</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];

    /// <summary>Every problem with these options, empty when they can be sent.</summary>
    public IReadOnlyList<string> Validate(DateTimeOffset now)
    {
        var problems = new List<string>();
        ValidateReplication(problems);

        foreach (var peer in UserAllocations)
        {
            if (!ClusterSyntax.IsPeerId(peer))
            {
                problems.Add($"user-allocations: \"{peer}\" is not a peer ID");
            }
        }

        if (ExpireAt is { } expireAt && expireAt != GoTime.Zero && expireAt <= now)
        {
            problems.Add($"expire-at {GoTime.Format(expireAt)} is not in the future");
        }

        foreach (var key in Metadata.Keys)
        {
            if (key.Length == 0)
            {
                problems.Add("metadata: empty key (the cluster would drop it)");
            }
        }

        if (PinUpdate is not null && !ClusterSyntax.IsCid(PinUpdate))
        {
            problems.Add($"pin-update: \"{PinUpdate}\" is not a CID");
        }

        foreach (var origin in Origins)
        {
            if (!ClusterSyntax.IsOrigin(origin))
            {
                problems.Add($"origins: \"{origin}\" is not a multiaddress ending in /p2p/<peer id>");
            }
        }

        return problems;
    }

    /// <summary>
    /// The query parameters in docs/protocol/cluster-rest.md §4's order (the dictionary keeps insertion order; Refit
    /// percent-encodes each name and value, RFC 3986 unreserved characters kept), metadata in ordinal key order so the
    /// same options always render the same query.
    /// </summary>
    public Dictionary<string, string> ToQuery()
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        AppendTo(query);
        return query;
    }

    internal void AppendTo(Dictionary<string, string> query)
    {
        if (!string.IsNullOrEmpty(Name))
        {
            Append(query, "name", Name);
        }

        Append(query, "mode", Mode == PinMode.Direct ? "direct" : "recursive");
        if (ReplicationMin is { } min)
        {
            Append(query, "replication-min", min.ToString(CultureInfo.InvariantCulture));
        }

        if (ReplicationMax is { } max)
        {
            Append(query, "replication-max", max.ToString(CultureInfo.InvariantCulture));
        }

        if (ShardSize is { } shardSize)
        {
            Append(query, "shard-size", shardSize.ToString(CultureInfo.InvariantCulture));
        }

        if (UserAllocations.Count > 0)
        {
            Append(query, "user-allocations", string.Join(',', UserAllocations));
        }

        if (ExpireAt is { } expireAt && expireAt != GoTime.Zero)
        {
            Append(query, "expire-at", GoTime.Format(expireAt));
        }

        foreach (var (key, value) in Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Append(query, "meta-" + key, value);
        }

        if (PinUpdate is not null)
        {
            Append(query, "pin-update", PinUpdate);
        }

        if (Origins.Count > 0)
        {
            Append(query, "origins", string.Join(',', Origins));
        }
    }

    internal static void Append(Dictionary<string, string> query, string name, string value) => query[name] = value;

    // The cluster's check happens after 0 is replaced by its own default (docs/protocol/cluster-rest.md §4), which the gateway
    // cannot see; these are the combinations that are wrong whatever that default is.
    private void ValidateReplication(List<string> problems)
    {
        if (ReplicationMin < -1)
        {
            problems.Add($"replication-min {ReplicationMin} is below -1");
        }

        if (ReplicationMax < -1)
        {
            problems.Add($"replication-max {ReplicationMax} is below -1");
        }

        if ((ReplicationMin == -1) != (ReplicationMax == -1) && (ReplicationMin is not null || ReplicationMax is not null))
        {
            problems.Add($"replication-min and replication-max must both be -1 when one of them is (got {Show(ReplicationMin)}/{Show(ReplicationMax)})");
        }
        else if (ReplicationMin > 0 && ReplicationMax > 0 && ReplicationMin > ReplicationMax)
        {
            problems.Add($"replication-min {ReplicationMin} is larger than replication-max {ReplicationMax}");
        }

        static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unset";
    }
}
