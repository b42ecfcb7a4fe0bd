using System.Text.Json.Serialization;

namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>{"Pins":[…]}</c>: the end of <c>pin/add</c>, and the answer of <c>pin/rm</c> and <c>pin/update</c>.</summary>
internal sealed record PinsOutput(IReadOnlyList<string> Pins);

/// <summary>
/// <c>{"Progress":n}</c> while <c>pin/add?progress=true</c> waits; the Go peer's watchdog needs n to rise
/// strictly and as a JSON integer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3).
/// </summary>
internal sealed record PinProgressOutput(long Progress);

/// <summary>One streamed <c>pin/ls</c> value <c>{"Cid","Type"}</c>; <c>Name</c> only with <c>names=true</c> (Kubo: omitempty).</summary>
internal sealed record PinLsObject
{
    public required string Cid { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    public required string Type { get; init; }
}
