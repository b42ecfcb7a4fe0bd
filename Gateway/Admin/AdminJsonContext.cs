using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Admin;

/// <summary>
/// The gateway's own admin dialect (snake_case, RFC 3339 UTC times): neither the cluster's nor
/// Kubo's, so it has its own context (docs/development/style.md §11).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(Rfc3339UtcConverter)])]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(TopologyReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary><c>GET /health</c>: the process serves.</summary>
internal sealed record HealthReport(string Status, string Version);

/// <summary>
/// <c>GET /ready</c>: the same shape for 200 and 503. Ready when every <c>required</c> undercluster is ready;
/// <c>reason</c> names the required ones that are not (an optional undercluster being down only shows in its entry).
/// </summary>
internal sealed record ReadinessReport(string Status, IReadOnlyList<UnderclusterReadiness> Underclusters)
{
    [JsonIgnore]
    public bool Ready => Status == "ready";

    /// <summary>Null when ready; else e.g. <c>required undercluster "b" is not ready: connect: refused</c>.</summary>
    public string? Reason { get; init; }

    public static ReadinessReport From(IReadOnlyList<UnderclusterHealthSnapshot> snapshot, IReadOnlySet<string>? optional = null)
    {
        var blocking = snapshot.Where(s => !s.IsReady && optional?.Contains(s.Name) != true).ToList();
        return Build(snapshot, optional) with
        {
            Status = blocking.Count == 0 ? "ready" : "not_ready",
            Reason = blocking.Count == 0 ? null : string.Join("; ", blocking.Select(s => $"required undercluster \"{s.Name}\" is not ready" + (s.LastError is { } e ? ": " + e : ""))),
        };
    }

    private static ReadinessReport Build(IReadOnlyList<UnderclusterHealthSnapshot> snapshot, IReadOnlySet<string>? optional) => new(
        "",
        [.. snapshot.Select(s => new UnderclusterReadiness(
            s.Name,
            s.State switch
            {
                UnderclusterState.Up => "up",
                UnderclusterState.Down => "down",
                UnderclusterState.Inception => "inception",
                _ => "unknown",
            },
            s.IsReady,
            s.LastError,
            s.LastSuccess,
            s.LastProbe,
            s.ConsecutiveFailures,
            s.PeerId)
        {
            Required = optional?.Contains(s.Name) != true,
            RepoStatLeftOut = s.RepoStatLeftOut,
            LastRepoStatError = s.LastRepoStatError,
        })]);
}

internal sealed record UnderclusterReadiness(
    string Name,
    string State,
    bool Ready,
    string? LastError,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastProbe,
    int ConsecutiveFailures,
    string? PeerId)
{
    /// <summary>Whether <c>/ready</c> depends on this undercluster (<c>required</c> in its configuration).</summary>
    public bool Required { get; init; } = true;

    /// <summary>
    /// The last aggregated <c>repo/stat</c> left this undercluster out of the free space it reported (see
    /// docs/design/placement.md); informational, it does not change <c>ready</c>.
    /// </summary>
    public bool RepoStatLeftOut { get; init; }

    /// <summary>Why the last <c>repo/stat</c> left it out; null when it was counted.</summary>
    public string? LastRepoStatError { get; init; }
}

/// <summary>Underclusters configured <c>required: false</c>: their being down does not make the gateway unready.</summary>
internal sealed record ReadinessPolicy(IReadOnlySet<string> Optional);

/// <summary>RFC 3339 in UTC with milliseconds and <c>Z</c>: <c>2025-06-04T10:15:30.123Z</c>.</summary>
internal sealed class Rfc3339UtcConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("time must be a string"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
