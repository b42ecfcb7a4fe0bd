using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompositeGateway.Lab.Ipfs;

/// <summary>
/// The Kubo RPC dialect of the lab's IPFS facet: PascalCase, field by field as Kubo prints them
/// (docs/protocol/kubo-rpc-as-called-by-cluster.md). Never shared with the cluster dialect.
/// </summary>
[JsonSerializable(typeof(KuboError))]
[JsonSerializable(typeof(KuboBlockStat))]
[JsonSerializable(typeof(KuboRef))]
[JsonSerializable(typeof(KuboLsOutput))]
[JsonSerializable(typeof(KuboId))]
[JsonSerializable(typeof(KuboVersion))]
internal sealed partial class KuboJsonContext : JsonSerializerContext
{
    /// <summary>Go's encoding/json escapes a quote as <c>\"</c>, not <c>\u0022</c>: the relaxed encoder does the same.</summary>
    public static KuboJsonContext Kubo { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>Kubo's error body: Code 0 = normal error (500), 1 = client error (400).</summary>
internal sealed record KuboError(string Message, int Code, string Type = "error");

internal sealed record KuboBlockStat(string Key, int Size);

internal sealed record KuboRef(string Ref, string Err);

internal sealed record KuboLsOutput(IReadOnlyList<KuboLsObject> Objects);

internal sealed record KuboLsObject(string Hash, IReadOnlyList<KuboLsLink> Links);

/// <summary>Type is UnixFS's: 1 directory, 2 file, 4 symlink, 5 HAMT shard.</summary>
internal sealed record KuboLsLink(string Name, string Hash, ulong Size, int Type, string Target);

internal sealed record KuboId(
    [property: JsonPropertyName("ID")] string Id,
    string PublicKey,
    IReadOnlyList<string> Addresses,
    string AgentVersion,
    IReadOnlyList<string> Protocols);

internal sealed record KuboVersion(string Version, string Commit, string Repo, string System, string Golang);
