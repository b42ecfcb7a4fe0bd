using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Lab.Wire;

/// <summary>One CID's status across the cluster's peers (docs/protocol/cluster-rest.md §2.2).</summary>
internal sealed record GlobalPinInfo
{
    [JsonPropertyName("cid")] public string? Cid { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("allocations")] public IReadOnlyList<string>? Allocations { get; init; }
    [JsonPropertyName("origins")] public IReadOnlyList<string>? Origins { get; init; }
    [JsonPropertyName("created")] public DateTimeOffset Created { get; init; } = GoTime.Zero;
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonPropertyName("peer_map")] public IReadOnlyDictionary<string, PinInfoShort> PeerMap { get; init; } = new Dictionary<string, PinInfoShort>();
}

/// <summary>One peer's entry in <see cref="GlobalPinInfo.PeerMap"/>.</summary>
internal sealed record PinInfoShort
{
    [JsonPropertyName("peername")] public string Peername { get; init; } = "";

    [JsonPropertyName("ipfs_peer_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IpfsPeerId { get; init; }

    [JsonPropertyName("ipfs_peer_addresses")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? IpfsPeerAddresses { get; init; }

    [JsonPropertyName("status")] public string Status { get; init; } = TrackerStatus.Undefined;
    [JsonPropertyName("timestamp")] public DateTimeOffset Timestamp { get; init; } = GoTime.Zero;
    [JsonPropertyName("error")] public string Error { get; init; } = "";
    [JsonPropertyName("attempt_count")] public int AttemptCount { get; init; }
    [JsonPropertyName("priority_pin")] public bool PriorityPin { get; init; }
}
