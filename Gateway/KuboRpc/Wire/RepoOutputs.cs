using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// <c>repo/stat</c> answer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.8): all five fields even with <c>size-only</c> (kubo-rpc-client reads
/// <c>NumObjects</c> with <c>BigInt</c>, which throws on a missing field). Byte counts are unsigned integers.
/// </summary>
internal sealed record RepoStatOutput(ulong RepoSize, ulong StorageMax, ulong NumObjects, string RepoPath, string Version);

/// <summary>
/// One <c>repo/gc</c> value (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.9): <c>Key</c> in go-cid's JSON form <c>{"/":"…"}</c> or <c>null</c>;
/// <c>Error</c> omitted when empty, as Kubo does.
/// </summary>
internal sealed record RepoGcLine(CidLink? Key)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

/// <summary>go-cid's JSON form of a CID: <c>{"/":"&lt;cid&gt;"}</c>.</summary>
internal sealed record CidLink([property: JsonPropertyName("/")] string Link);
