using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>Status of one CID across an undercluster's peers (<c>GET /pins</c>, <c>GET /pins/{cid}</c>; docs/protocol/cluster-rest.md §2.2).</summary>
/// <remarks>
/// Properties are <c>set</c>, not <c>init</c>: the System.Text.Json source generator decodes a type with
/// <c>init</c> properties through its constructor-argument path (each member read into a boxed argument array,
/// then the object built), which was the largest part of the gateway's CPU per pin in a full listing, where every
/// pin is decoded once from <c>/allocations</c> and once from <c>/pins?cids=</c>.
/// </remarks>
internal sealed record GlobalPinInfo
{
    public string? Cid { get; set; }
    public string Name { get; set; } = "";
    public IReadOnlyList<string>? Allocations { get; set; }
    public IReadOnlyList<string>? Origins { get; set; }
    public DateTimeOffset Created { get; set; } = GoTime.Zero;
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }
    public IReadOnlyDictionary<string, PinInfoShort> PeerMap { get; set; } = new Dictionary<string, PinInfoShort>();
}

/// <summary>One peer's view of one CID inside <see cref="GlobalPinInfo.PeerMap"/>.</summary>
/// <remarks>Properties are <c>set</c> for the reason given on <see cref="GlobalPinInfo"/>.</remarks>
internal sealed record PinInfoShort
{
    public string Peername { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpfsPeerId { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? IpfsPeerAddresses { get; set; }

    /// <summary>A TrackerStatus string (docs/protocol/cluster-rest.md §3.1); see <see cref="TrackerStatus"/>.</summary>
    public string Status { get; set; } = TrackerStatus.Undefined;
    public DateTimeOffset Timestamp { get; set; } = GoTime.Zero;
    public string Error { get; set; } = "";
    public int AttemptCount { get; set; }
    public bool PriorityPin { get; set; }
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
