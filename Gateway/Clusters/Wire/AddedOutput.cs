using System.Text.Json.Serialization;

namespace CompositeGateway.Clusters.Wire;

/// <summary>One line of <c>POST /add</c> output (docs/protocol/cluster-rest.md §2.4, §5.13).</summary>
internal sealed record AddedOutput
{
    public string Name { get; init; } = "";
    public string? Cid { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Bytes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Allocations { get; init; }
}
