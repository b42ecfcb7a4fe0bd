using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Lab.Wire;

/// <summary>A pin with its options flattened in, in Go's field order (docs/protocol/cluster-rest.md §2.1).</summary>
internal sealed record ClusterPin
{
    [JsonPropertyName("replication_factor_min")] public int ReplicationFactorMin { get; init; }
    [JsonPropertyName("replication_factor_max")] public int ReplicationFactorMax { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("mode")] public string Mode { get; init; } = "recursive";
    [JsonPropertyName("shard_size")] public ulong ShardSize { get; init; }
    [JsonPropertyName("user_allocations")] public IReadOnlyList<string>? UserAllocations { get; init; }
    [JsonPropertyName("expire_at")] public DateTimeOffset ExpireAt { get; init; } = GoTime.Zero;
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonPropertyName("pin_update")] public string? PinUpdate { get; init; }
    [JsonPropertyName("origins")] public IReadOnlyList<string>? Origins { get; init; }
    [JsonPropertyName("cid")] public string? Cid { get; init; }
    [JsonPropertyName("type")] public string Type { get; init; } = "pin";
    [JsonPropertyName("allocations")] public IReadOnlyList<string>? Allocations { get; init; }
    [JsonPropertyName("max_depth")] public int MaxDepth { get; init; } = -1;
    [JsonPropertyName("reference")] public string? Reference { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset Timestamp { get; init; } = GoTime.Zero;
}
