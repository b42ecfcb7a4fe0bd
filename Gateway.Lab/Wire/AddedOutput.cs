using System.Text.Json.Serialization;

namespace CompositeGateway.Lab.Wire;

/// <summary>One line of <c>POST /add</c> output (docs/protocol/cluster-rest.md §5.13).</summary>
internal sealed record AddedOutput
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("cid")] public string? Cid { get; init; }

    [JsonPropertyName("bytes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Bytes { get; init; }

    [JsonPropertyName("size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Size { get; init; }

    [JsonPropertyName("allocations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Allocations { get; init; }
}
