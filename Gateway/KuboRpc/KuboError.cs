using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Kubo's error body, <c>{"Message":"…","Code":0,"Type":"error"}</c>. The cluster peer decodes
/// <c>Message</c> from any non-200 answer and compares its text (protocol/ipfs-rpc-as-called-by-cluster.md §1.1).
/// </summary>
internal sealed record KuboError(string Message, int Code = 0)
{
    public string Type => "error";
}

/// <summary>System.Text.Json source generation for the Kubo RPC dialect (PascalCase, STYLE.md 11).</summary>
[JsonSerializable(typeof(KuboError))]
internal sealed partial class KuboJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context to write answers with: escapes only what JSON requires (a quote as <c>\"</c>, like Go's
    /// encoder), so error messages stay readable in logs of the cluster peer.
    /// </summary>
    public static KuboJsonContext Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
