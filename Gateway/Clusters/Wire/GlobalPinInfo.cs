using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>Status of one CID across an undercluster's peers (<c>GET /pins</c>, <c>GET /pins/{cid}</c>; docs/protocol/cluster-rest.md §2.2).</summary>
internal sealed record GlobalPinInfo
{
    public string? Cid { get; init; }
    public string Name { get; init; } = "";
    public IReadOnlyList<string>? Allocations { get; init; }
    public IReadOnlyList<string>? Origins { get; init; }
    public DateTimeOffset Created { get; init; } = GoTime.Zero;
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public IReadOnlyDictionary<string, PinInfoShort> PeerMap { get; init; } = new Dictionary<string, PinInfoShort>();
}

/// <summary>One peer's view of one CID inside <see cref="GlobalPinInfo.PeerMap"/>.</summary>
internal sealed record PinInfoShort
{
    public string Peername { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpfsPeerId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? IpfsPeerAddresses { get; init; }

    /// <summary>A TrackerStatus string (docs/protocol/cluster-rest.md §3.1); see <see cref="TrackerStatus"/>.</summary>
    public string Status { get; init; } = TrackerStatus.Undefined;
    public DateTimeOffset Timestamp { get; init; } = GoTime.Zero;
    public string Error { get; init; } = "";
    public int AttemptCount { get; init; }
    public bool PriorityPin { get; init; }
}

/// <summary>The TrackerStatus strings of ipfs-cluster (docs/protocol/cluster-rest.md §3.1).</summary>
internal static class TrackerStatus
{
    public const string Undefined = "undefined";
    public const string ClusterError = "cluster_error";
    public const string PinError = "pin_error";
    public const string UnpinError = "unpin_error";
    public const string Pinned = "pinned";
    public const string Pinning = "pinning";
    public const string Unpinning = "unpinning";
    public const string Unpinned = "unpinned";
    public const string Remote = "remote";
    public const string PinQueued = "pin_queued";
    public const string UnpinQueued = "unpin_queued";
    public const string Sharded = "sharded";
    public const string UnexpectedlyUnpinned = "unexpectedly_unpinned";
}
