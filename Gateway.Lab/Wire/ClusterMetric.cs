using System.Text.Json.Serialization;

namespace CompositeGateway.Lab.Wire;

/// <summary>A monitor metric (docs/protocol/cluster-rest.md §2.4); times in Unix nanoseconds.</summary>
internal sealed record ClusterMetric
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("peer")] public string Peer { get; init; } = "";
    [JsonPropertyName("value")] public string Value { get; init; } = "";
    [JsonPropertyName("expire")] public long Expire { get; init; }
    [JsonPropertyName("valid")] public bool Valid { get; init; }
    [JsonPropertyName("weight")] public long Weight { get; init; }
    [JsonPropertyName("partitionable")] public bool Partitionable { get; init; }
    [JsonPropertyName("received_at")] public long ReceivedAt { get; init; }
}
