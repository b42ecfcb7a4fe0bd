using System.Text.Json.Serialization;

namespace CompositeGateway.Clusters.Wire;

/// <summary>A cluster peer's identity (<c>GET /id</c>, items of <c>GET /peers</c>; docs/protocol/cluster-rest.md §2.3).</summary>
internal sealed record ClusterPeer
{
    public string Id { get; init; } = "";
    public IReadOnlyList<string>? Addresses { get; init; }
    public IReadOnlyList<string>? ClusterPeers { get; init; }
    public IReadOnlyList<string>? ClusterPeersAddresses { get; init; }
    public string Version { get; init; } = "";
    public string Commit { get; init; } = "";
    public string RpcProtocolVersion { get; init; } = "";
    public string Error { get; init; } = "";
    public IpfsPeer Ipfs { get; init; } = new();
    public string Peername { get; init; } = "";
}

/// <summary>The IPFS daemon behind a cluster peer, as that peer last saw it.</summary>
internal sealed record IpfsPeer
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }
    public IReadOnlyList<string>? Addresses { get; init; }
    public string Error { get; init; } = "";
}

/// <summary><c>GET /version</c>.</summary>
internal sealed record ClusterVersion(string Version);

/// <summary>Every error body of the REST API: <c>{"code":404,"message":"…"}</c> (docs/protocol/cluster-rest.md §1.2).</summary>
internal sealed record ClusterError(int Code, string Message);
