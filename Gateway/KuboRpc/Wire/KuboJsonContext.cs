using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// The Kubo RPC dialect: Go field names as written (PascalCase, <c>ID</c>, <c>PeerID</c>), unsigned 64-bit
/// integers as JSON integers, <c>null</c> written. The cluster REST dialect lives in Clusters/Wire; the two
/// never share a DTO (docs/development/style.md §11).
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
[JsonSerializable(typeof(BlockStatOutput))]
[JsonSerializable(typeof(DagPutOutput))]
[JsonSerializable(typeof(AddEventOutput))]
internal sealed partial class KuboJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Options the surface writes with: characters such as <c>+</c> (base64 public keys) and <c>"</c> stay
    /// literal, as Go's encoder writes them, instead of System.Text.Json's default <c>\u002B</c> escapes. The
    /// bodies are <c>application/json</c>, never embedded in HTML.
    /// </summary>
    public static JsonSerializerOptions WireOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The context bound to <see cref="WireOptions"/>; use it, not <c>Default</c>.</summary>
    public static KuboJsonContext Wire { get; } = new(WireOptions);
}
