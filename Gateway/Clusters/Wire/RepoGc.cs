using System.Text.Json.Serialization;

namespace CompositeGateway.Clusters.Wire;

/// <summary><c>POST /ipfs/gc</c> answer (docs/protocol/cluster-rest.md §5.14).</summary>
internal sealed record GlobalRepoGc
{
    public IReadOnlyDictionary<string, RepoGc> PeerMap { get; init; } = new Dictionary<string, RepoGc>();
}

internal sealed record RepoGc
{
    public string Peer { get; init; } = "";
    public string Peername { get; init; } = "";
    public IReadOnlyList<IpfsRepoGc> Keys { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

internal sealed record IpfsRepoGc
{
    public string? Key { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
