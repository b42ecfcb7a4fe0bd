using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompositeGateway.Go;

/// <summary>
/// Go's <c>time.Time</c> JSON form (RFC 3339 with up to nine fractional digits, trailing zeros
/// dropped, <c>Z</c> for UTC). System.Text.Json would write <c>+00:00</c> and seven digits, which
/// Go parses but golden comparisons and strict clients do not expect.
/// </summary>
internal sealed class GoTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("time must be a string");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoTime.Format(value));
}

internal static class GoTime
{
    /// <summary>Go's zero time, <c>0001-01-01T00:00:00Z</c>: "never" for <c>expire_at</c>.</summary>
    public static readonly DateTimeOffset Zero = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Format(DateTimeOffset value)
    {
        var text = value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return value.Offset == TimeSpan.Zero ? text + "Z" : text + value.ToString("zzz", CultureInfo.InvariantCulture);
    }
}
