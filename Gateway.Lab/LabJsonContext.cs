using System.Text.Json.Serialization;

namespace CompositeGateway.Lab;

/// <summary>
/// JSON of the lab's own control surface (<c>/_lab/…</c>): snake_case like the cluster dialect it
/// sits next to, Go durations. Not a cluster wire type, so it has its own context.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(GoDurationJsonConverter)])]
[JsonSerializable(typeof(LabFaults))]
[JsonSerializable(typeof(LabSeedResult))]
[JsonSerializable(typeof(LabStateReport))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(LabBlockReport))]
[JsonSerializable(typeof(LabDagReport))]
internal sealed partial class LabJsonContext : JsonSerializerContext;

/// <summary><c>POST /_lab/seed</c> answer.</summary>
internal sealed record LabSeedResult(long First, int Seeded, int Total);

/// <summary><c>GET /_lab/state</c>: a summary for humans and scripts.</summary>
internal sealed record LabStateReport
{
    public required string Name { get; init; }
    public required int Pins { get; init; }
    public required IReadOnlyList<LabPeerReport> Peers { get; init; }
}

internal sealed record LabPeerReport(int Index, string Id, string Name, string IpfsId, long Capacity, long Used, long Free, bool Down);

/// <summary>One block of <c>GET /_lab/blocks</c>: CID, size, holding peers' IDs; links only for a single block.</summary>
internal sealed record LabBlockReport(string Cid, int Size, IReadOnlyList<string> Peers, IReadOnlyList<string>? Links = null);

/// <summary><c>GET /_lab/dag/{cid}</c>: the DAG's completeness in this cluster (missing is capped at 100).</summary>
internal sealed record LabDagReport(string Root, bool Complete, int Present, IReadOnlyList<string> Missing);
