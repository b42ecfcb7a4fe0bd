using System.Globalization;
using System.Text;

namespace CompositeGateway.Go;

/// <summary>
/// Durations written the way Go's <c>time.ParseDuration</c> reads them (<c>30s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>250ms</c>), because the ipfs-cluster configuration our operators already write uses that form.
/// Resolution is one .NET tick (100 ns); finer parts are truncated. The lab uses the same syntax for ipfs-cluster's
/// <c>expire-in</c> (docs/protocol/cluster-rest.md §4) and for its flags and fault bodies.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("μs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses like Go; on failure <paramref name="error"/> mirrors Go's text (<c>time: invalid duration "x"</c>).</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = $"time: invalid duration \"{text}\"";
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        // Go accepts a bare "0" and nothing else without a unit.
        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal ticks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            if (!decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"time: missing unit in duration \"{text}\"";
                return false;
            }

            var unit = s[..unitLength];
            var found = false;
            foreach (var (name, unitTicks) in Units)
            {
                if (unit.SequenceEqual(name))
                {
                    ticks += number * unitTicks;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                error = $"time: unknown unit \"{unit}\" in duration \"{text}\"";
                return false;
            }

            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }

            s = s[unitLength..];
        }

        value = TimeSpan.FromTicks((long)decimal.Truncate(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Compact Go-style text (<c>1h30m</c>, <c>250ms</c>, <c>1.5s</c>) that <see cref="TryParse(string, out TimeSpan)"/> reads back.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Duration();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ms = (decimal)value.Ticks / TimeSpan.TicksPerMillisecond;
            return ms >= 1
                ? text.Append(ms.ToString("0.#######", CultureInfo.InvariantCulture)).Append("ms").ToString()
                : text.Append((ms * 1000).ToString("0.####", CultureInfo.InvariantCulture)).Append("us").ToString();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (value.Minutes > 0)
        {
            text.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = (decimal)(value.Ticks % TimeSpan.TicksPerMinute) / TimeSpan.TicksPerSecond;
        if (seconds > 0)
        {
            text.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        }

        return text.ToString();
    }

    /// <summary>Go's <c>Duration.String()</c> form (<c>1h0m0s</c>, <c>1.5s</c>, <c>250ms</c>, <c>0s</c>), for text a Go program would print.</summary>
    public static string FormatAsGoString(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ns = value.Ticks * 100m;
            var (divisor, unit) = ns >= 1_000_000 ? (1_000_000m, "ms") : ns >= 1_000 ? (1_000m, "µs") : (1m, "ns");
            return text.Append((ns / divisor).ToString("0.#########", CultureInfo.InvariantCulture)).Append(unit).ToString();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || value.Minutes > 0)
        {
            text.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (decimal)TimeSpan.TicksPerSecond);
        return text.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
