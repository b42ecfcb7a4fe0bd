using System.Text.Json;
using System.Text.Json.Serialization;
using CompositeGateway.Go;

namespace CompositeGateway.Lab;

/// <summary>
/// Faults an emulated cluster injects, as set by flags or by <c>POST /_lab/faults</c> (snake_case JSON,
/// durations in Go syntax). Every field is optional: null = not set. A POST merges the fields it
/// carries into the current set; <c>DELETE /_lab/faults</c> clears everything.
/// </summary>
internal sealed record LabFaults
{
    public const string DefaultPinErrorMessage = "lab: injected pin error";

    /// <summary>Added to every REST request (not to <c>/_lab/…</c>).</summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>Uniform random extra latency in [0, jitter).</summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>Fraction (0..1) of REST requests answered 500 <c>{"code":500,"message":"lab: injected failure"}</c>.</summary>
    public double? ErrorRate { get; init; }

    /// <summary>Fraction (0..1) of REST requests that never answer until the client gives up.</summary>
    public double? HangRate { get; init; }

    /// <summary>Path prefixes the request faults (latency, error, hang) apply to; null or empty = all paths.</summary>
    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary>Every request's connection is closed at once, without an answer; the control endpoint (<c>/_lab/…</c>) is spared.</summary>
    public bool? ResetConnections { get; init; }

    /// <summary>CIDs whose pins fail (<c>pin_error</c>) on every allocated peer. Decided when a pin (or recover) starts.</summary>
    public IReadOnlyList<string>? PinErrorCids { get; init; }

    /// <summary>Fraction (0..1) of (pin, peer) attempts that end in <c>pin_error</c>. Decided when a pin (or recover) starts.</summary>
    public double? PinErrorRate { get; init; }

    /// <summary>The <c>error</c> text of injected pin errors.</summary>
    public string? PinErrorMessage { get; init; }

    /// <summary>Overrides the cluster's pin delay for pins started while set.</summary>
    public TimeSpan? PinDelay { get; init; }

    /// <summary>Per-CID pin delay for pins started while set (wins over <see cref="PinDelay"/>).</summary>
    public IReadOnlyDictionary<string, TimeSpan>? SlowPins { get; init; }

    /// <summary>Streams (NDJSON endpoints) abort the connection after this many items, without the chunked terminator.</summary>
    public int? DropStreamAfter { get; init; }

    /// <summary>Streams stop after this many items (at least 1) without ending, until the client goes away: a stalled peer or proxy.</summary>
    public int? StallStreamAfter { get; init; }

    /// <summary>Streams end with this text in the <c>X-Stream-Error</c> trailer (500 when there is no item).</summary>
    public string? StreamError { get; init; }

    /// <summary>Indexes of simulated peers forced down: their statuses become <c>cluster_error</c>, their metrics vanish.</summary>
    public IReadOnlyList<int>? DownPeers { get; init; }

    /// <summary>Fields set in <paramref name="update"/> replace those here.</summary>
    public LabFaults Merge(LabFaults update) => new()
    {
        Latency = update.Latency ?? Latency,
        Jitter = update.Jitter ?? Jitter,
        ErrorRate = update.ErrorRate ?? ErrorRate,
        HangRate = update.HangRate ?? HangRate,
        Paths = update.Paths ?? Paths,
        ResetConnections = update.ResetConnections ?? ResetConnections,
        PinErrorCids = update.PinErrorCids ?? PinErrorCids,
        PinErrorRate = update.PinErrorRate ?? PinErrorRate,
        PinErrorMessage = update.PinErrorMessage ?? PinErrorMessage,
        PinDelay = update.PinDelay ?? PinDelay,
        SlowPins = update.SlowPins ?? SlowPins,
        DropStreamAfter = update.DropStreamAfter ?? DropStreamAfter,
        StallStreamAfter = update.StallStreamAfter ?? StallStreamAfter,
        StreamError = update.StreamError ?? StreamError,
        DownPeers = update.DownPeers ?? DownPeers,
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckRate(errors, "error_rate", ErrorRate);
        CheckRate(errors, "hang_rate", HangRate);
        CheckRate(errors, "pin_error_rate", PinErrorRate);
        if (Latency < TimeSpan.Zero || Jitter < TimeSpan.Zero || PinDelay < TimeSpan.Zero)
        {
            errors.Add("latency, jitter and pin_delay must not be negative");
        }

        if (DropStreamAfter < 0)
        {
            errors.Add("drop_stream_after must not be negative");
        }

        if (StallStreamAfter < 1)
        {
            errors.Add("stall_stream_after must be at least 1");
        }

        return errors;
    }

    private static void CheckRate(List<string> errors, string name, double? rate)
    {
        if (rate is < 0 or > 1 or double.NaN)
        {
            errors.Add($"{name} must be within 0..1");
        }
    }
}

/// <summary>The current faults of one cluster; swapped atomically, read without locks.</summary>
internal sealed class LabFaultSwitch(LabFaults initial)
{
    private volatile LabFaults _current = initial;

    public LabFaults Current => _current;

    public void Set(LabFaults faults) => _current = faults;

    public void Merge(LabFaults update)
    {
        LabFaults before, after;
        do
        {
            before = _current;
            after = before.Merge(update);
        }
        while (Interlocked.CompareExchange(ref _current, after, before) != before);
    }

    public void Clear() => _current = new LabFaults();

    public bool IsPeerDown(int index) => _current.DownPeers is { } down && down.Contains(index);

    public void SetPeerDown(int index, bool isDown)
    {
        LabFaults before, after;
        do
        {
            before = _current;
            var set = new SortedSet<int>(before.DownPeers ?? []);
            if (isDown)
            {
                set.Add(index);
            }
            else
            {
                set.Remove(index);
            }

            after = before with { DownPeers = [.. set] };
        }
        while (Interlocked.CompareExchange(ref _current, after, before) != before);
    }
}

/// <summary>Go-syntax durations (<c>"250ms"</c>) in the lab's control JSON.</summary>
internal sealed class GoDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("a duration must be a string such as \"250ms\"");
        return GoDuration.TryParse(text, out var value, out var error) ? value : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoDuration.FormatAsGoString(value));
}
