using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Numerics;
using System.Text;

namespace CompositeGateway.Telemetry;

/// <summary>
/// Listens to <see cref="System.Diagnostics.Metrics"/> instruments, aggregates their measurements
/// per tag set and renders them in the Prometheus text format 0.0.4. The one place telemetry is
/// exported (docs/development/style.md §12); prometheus-net and the OpenTelemetry exporter are not on our registry.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    /// <summary>Prometheus client_golang's defaults, extended to 60 s: undercluster calls may run to their 30 s timeout.</summary>
    public static readonly double[] DefaultSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Func<Instrument, string?> _exportName;
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly Lock _scrapeGate = new();
    private readonly MeterListener _listener;
    private long _generation;

    /// <param name="exportName">
    /// The Prometheus name to export an instrument under, or <see langword="null"/> to ignore it.
    /// A MeterListener hears every meter in the process, so this is also what keeps one host's
    /// instruments out of another's exposition (tests run several hosts in one process).
    /// </param>
    public PrometheusCollector(Func<Instrument, string?> exportName)
    {
        _exportName = exportName;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _),
        };
        _listener.SetMeasurementEventCallback<byte>(OnMeasurement);
        _listener.SetMeasurementEventCallback<short>(OnMeasurement);
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<float>(OnMeasurement);
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.SetMeasurementEventCallback<decimal>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Polls observable instruments, then renders every exported family, sorted by name.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            var generation = Interlocked.Increment(ref _generation);
            _listener.RecordObservableInstruments();

            var builder = new StringBuilder(4096);
            // Two instruments may share a name (same meter asked twice): one header, samples of both.
            foreach (var group in _families.Values.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                builder.Append("# HELP ").Append(first.Name).Append(' ');
                PrometheusText.AppendHelp(builder, first.Help);
                builder.Append('\n');
                builder.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
                foreach (var family in group.Where(f => f.Type == first.Type))
                {
                    family.RenderSamples(builder, generation);
                }
            }

            return builder.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var name = _exportName(instrument);
        if (name is null || Describe(instrument) is not { } described)
        {
            return;
        }

        var (type, aggregation) = described;

        var bounds = aggregation == Aggregation.Histogram ? AdvisedBounds(instrument) ?? DefaultSecondsBuckets : [];
        var family = new MetricFamily(
            PrometheusText.SanitizeMetricName(name),
            instrument.Description ?? "",
            type,
            aggregation,
            instrument.IsObservable,
            bounds);
        if (_families.TryAdd(instrument, family))
        {
            listener.EnableMeasurementEvents(instrument, family);
        }
    }

    private void OnMeasurement<T>(Instrument instrument, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct, INumberBase<T>
    {
        if (state is MetricFamily family)
        {
            family.Record(double.CreateTruncating(measurement), tags, Volatile.Read(ref _generation));
        }
    }

    private static (string Type, Aggregation Aggregation)? Describe(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return ("counter", Aggregation.Sum);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return ("counter", Aggregation.LastValue);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return ("gauge", Aggregation.Sum);
        }

        if (definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return ("gauge", Aggregation.LastValue);
        }

        if (definition == typeof(Histogram<>))
        {
            return ("histogram", Aggregation.Histogram);
        }

        return null;
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };
}
