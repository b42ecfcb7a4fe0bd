using System.Text.Json.Serialization;

namespace CompositeGateway.Lab.Wire;

/// <summary><c>GET /id</c> and each line of <c>GET /peers</c> (docs/protocol/cluster-rest.md §2.3).</summary>
internal sealed record ClusterPeer
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("addresses")] public IReadOnlyList<string>? Addresses { get; init; }
    [JsonPropertyName("cluster_peers")] public IReadOnlyList<string>? ClusterPeers { get; init; }
    [JsonPropertyName("cluster_peers_addresses")] public IReadOnlyList<string>? ClusterPeersAddresses { get; init; }
    [JsonPropertyName("version")] public string Version { get; init; } = "";
    [JsonPropertyName("commit")] public string Commit { get; init; } = "";
    [JsonPropertyName("rpc_protocol_version")] public string RpcProtocolVersion { get; init; } = "";
    [JsonPropertyName("error")] public string Error { get; init; } = "";
    [JsonPropertyName("ipfs")] public IpfsPeer Ipfs { get; init; } = new();
    [JsonPropertyName("peername")] public string Peername { get; init; } = "";
}

/// <summary>The peer's IPFS daemon as the peer last saw it.</summary>
internal sealed record IpfsPeer
{
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("addresses")] public IReadOnlyList<string>? Addresses { get; init; }
    [JsonPropertyName("error")] public string Error { get; init; } = "";
}

/// <summary><c>GET /version</c>.</summary>
internal sealed record ClusterVersion([property: JsonPropertyName("version")] string Version);

/// <summary>The REST API's error body (docs/protocol/cluster-rest.md §1.2).</summary>
internal sealed record ClusterError([property: JsonPropertyName("code")] int Code, [property: JsonPropertyName("message")] string Message);

/// <summary><c>POST /token</c>.</summary>
internal sealed record ClusterToken([property: JsonPropertyName("token")] string Token);
