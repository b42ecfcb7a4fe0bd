using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// One line of Kubo's <c>add</c> answer (kubo <c>core/commands/add.go</c> AddEvent): <c>Name</c> always, <c>Hash</c>
/// and <c>Size</c> (the cumulative DAG size, a decimal STRING) for an added entry, <c>Bytes</c> (an integer) for a
/// progress line; empty ones left out (Go's omitempty). kubo-rpc-client tells the two apart by <c>Hash</c>.
/// </summary>
internal sealed record AddEventOutput
{
    public required string Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Hash { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Bytes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Size { get; init; }
}
