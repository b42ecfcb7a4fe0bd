using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// A pin as the ipfs-cluster REST API writes it (POST/DELETE <c>/pins/…</c>, <c>/allocations</c>):
/// the pin options flattened into the pin object. Field order follows Go's struct order
/// (ipfs-cluster v1.1.6 <c>api/types.go</c>, docs/protocol/cluster-rest.md §2.1).
/// </summary>
/// <remarks>
/// Properties are <c>set</c>, not <c>init</c>: the System.Text.Json source generator decodes a type with
/// <c>init</c> properties through its constructor-argument path (each member read into a boxed argument array,
/// then the object built), which was the largest part of the gateway's CPU per pin in a full listing, where every
/// pin is decoded once from <c>/allocations</c> and once from <c>/pins?cids=</c>.
/// </remarks>
internal sealed record ClusterPin
{
    public int ReplicationFactorMin { get; set; }
    public int ReplicationFactorMax { get; set; }
    public string Name { get; set; } = "";
    public string Mode { get; set; } = "recursive";
    public ulong ShardSize { get; set; }
    public IReadOnlyList<string>? UserAllocations { get; set; }
    public DateTimeOffset ExpireAt { get; set; } = GoTime.Zero;
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }
    public string? PinUpdate { get; set; }
    public IReadOnlyList<string>? Origins { get; set; }
    public string? Cid { get; set; }
    public string Type { get; set; } = "pin";
    public IReadOnlyList<string>? Allocations { get; set; }
    public int MaxDepth { get; set; } = -1;
    public string? Reference { get; set; }
    public DateTimeOffset Timestamp { get; set; } = GoTime.Zero;
}
