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
        // Go's RFC 3339 times are ISO 8601, which the reader parses from the bytes without a string; what it refuses
        // (more than seven fractional digits, for instance) goes through the general parser.
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        var text = reader.GetString() ?? throw new JsonException("time must be a string");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[GoTime.MaxLength];
        writer.WriteStringValue(text[..GoTime.Format(value, text)]);
    }
}

internal static class GoTime
{
    /// <summary>Go's zero time, <c>0001-01-01T00:00:00Z</c>: "never" for <c>expire_at</c>.</summary>
    public static readonly DateTimeOffset Zero = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The longest <see cref="Format(DateTimeOffset, Span{char})"/> writes: <c>yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm</c>.</summary>
    public const int MaxLength = 33;

    public static string Format(DateTimeOffset value)
    {
        Span<char> text = stackalloc char[MaxLength];
        return new string(text[..Format(value, text)]);
    }

    /// <summary>
    /// Writes <paramref name="value"/> into <paramref name="text"/> (at least <see cref="MaxLength"/> long) and returns
    /// the length. Built from the standard "s" form and the ticks of the fraction rather than a custom pattern: every
    /// pin in a status listing carries several times, and the custom-pattern formatter was a large part of the
    /// emulator's CPU per listed pin.
    /// </summary>
    public static int Format(DateTimeOffset value, Span<char> text)
    {
        value.DateTime.TryFormat(text, out var length, "s", CultureInfo.InvariantCulture);
        var fraction = value.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text[length++] = '.';
            fraction.TryFormat(text[length..], out var digits, "D7", CultureInfo.InvariantCulture);
            length += digits;
            while (text[length - 1] == '0')
            {
                length--;
            }
        }

        if (value.Offset == TimeSpan.Zero)
        {
            text[length++] = 'Z';
            return length;
        }

        value.TryFormat(text[length..], out var offset, "zzz", CultureInfo.InvariantCulture);
        return length + offset;
    }
}
