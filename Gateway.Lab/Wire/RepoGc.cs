using System.Text.Json.Serialization;

namespace CompositeGateway.Lab.Wire;

/// <summary><c>POST /ipfs/gc</c> (docs/protocol/cluster-rest.md §5.14).</summary>
internal sealed record GlobalRepoGc
{
    [JsonPropertyName("peer_map")] public IReadOnlyDictionary<string, RepoGc> PeerMap { get; init; } = new Dictionary<string, RepoGc>();
}

internal sealed record RepoGc
{
    [JsonPropertyName("peer")] public string Peer { get; init; } = "";
    [JsonPropertyName("peername")] public string Peername { get; init; } = "";
    [JsonPropertyName("keys")] public IReadOnlyList<IpfsRepoGc> Keys { get; init; } = [];

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

internal sealed record IpfsRepoGc
{
    [JsonPropertyName("key")] public string? Key { get; init; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
