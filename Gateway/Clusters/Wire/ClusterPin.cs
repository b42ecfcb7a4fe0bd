using CompositeGateway.Go;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// A pin as the ipfs-cluster REST API writes it (POST/DELETE <c>/pins/…</c>, <c>/allocations</c>):
/// the pin options flattened into the pin object. Field order follows Go's struct order
/// (ipfs-cluster v1.1.6 <c>api/types.go</c>, docs/protocol/cluster-rest.md §2.1).
/// </summary>
internal sealed record ClusterPin
{
    public int ReplicationFactorMin { get; init; }
    public int ReplicationFactorMax { get; init; }
    public string Name { get; init; } = "";
    public string Mode { get; init; } = "recursive";
    public ulong ShardSize { get; init; }
    public IReadOnlyList<string>? UserAllocations { get; init; }
    public DateTimeOffset ExpireAt { get; init; } = GoTime.Zero;
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public string? PinUpdate { get; init; }
    public IReadOnlyList<string>? Origins { get; init; }
    public string? Cid { get; init; }
    public string Type { get; init; } = "pin";
    public IReadOnlyList<string>? Allocations { get; init; }
    public int MaxDepth { get; init; } = -1;
    public string? Reference { get; init; }
    public DateTimeOffset Timestamp { get; init; } = GoTime.Zero;
}
