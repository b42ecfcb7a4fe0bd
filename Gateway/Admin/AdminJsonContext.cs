using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompositeGateway.Admin;

/// <summary>
/// The gateway's own admin dialect (snake_case, RFC 3339 UTC times): neither the cluster's nor
/// Kubo's, so it has its own context (STYLE.md 11).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(Rfc3339UtcConverter)])]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary><c>GET /health</c>: the process serves.</summary>
internal sealed record HealthReport(string Status, string Version);

/// <summary><c>GET /ready</c>: the same shape for 200 and 503.</summary>
internal sealed record ReadinessReport(string Status, IReadOnlyList<UnderclusterReadiness> Underclusters)
{
    [JsonIgnore]
    public bool Ready => Status == "ready";

    public static ReadinessReport From(IReadOnlyList<UnderclusterHealthSnapshot> snapshot) => new(
        snapshot.All(s => s.IsReady) ? "ready" : "not_ready",
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
            s.PeerId))]);
}

internal sealed record UnderclusterReadiness(
    string Name,
    string State,
    bool Ready,
    string? LastError,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastProbe,
    int ConsecutiveFailures,
    string? PeerId);

/// <summary>RFC 3339 in UTC with milliseconds and <c>Z</c>: <c>2025-06-04T10:15:30.123Z</c>.</summary>
internal sealed class Rfc3339UtcConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("time must be a string"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
