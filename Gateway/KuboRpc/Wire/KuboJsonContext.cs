using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// The Kubo RPC dialect: Go field names as written (PascalCase, <c>ID</c>, <c>PeerID</c>), unsigned 64-bit
/// integers as JSON integers, <c>null</c> written. The cluster REST dialect lives in Clusters/Wire; the two
/// never share a DTO (STYLE.md 11).
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(KuboErrorBody))]
[JsonSerializable(typeof(IdOutput))]
[JsonSerializable(typeof(VersionOutput))]
[JsonSerializable(typeof(PinsOutput))]
[JsonSerializable(typeof(PinProgressOutput))]
[JsonSerializable(typeof(PinLsObject))]
[JsonSerializable(typeof(RepoStatOutput))]
[JsonSerializable(typeof(RepoGcLine))]
[JsonSerializable(typeof(SwarmPeersOutput))]
[JsonSerializable(typeof(StringsOutput))]
[JsonSerializable(typeof(ResolveOutput))]
[JsonSerializable(typeof(ConfigShowOutput))]
internal sealed partial class KuboJsonContext : JsonSerializerContext;
