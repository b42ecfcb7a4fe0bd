using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>id</c> answer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.1). The Go peer decodes <c>ID</c> (must be a peer ID) and <c>Addresses</c>.</summary>
internal sealed record IdOutput
{
    [JsonPropertyName("ID")]
    public required string Id { get; init; }

    public required string PublicKey { get; init; }

    public required IReadOnlyList<string> Addresses { get; init; }

    public required string AgentVersion { get; init; }

    public IReadOnlyList<string> Protocols { get; init; } = [];
}
