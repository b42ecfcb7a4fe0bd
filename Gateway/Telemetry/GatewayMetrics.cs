using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompositeGateway.Telemetry;

/// <summary>
/// The gateway's own instruments, on the meter <see cref="MeterName"/>. Names are final
/// Prometheus names (base units, <c>_total</c> on counters) so that the exposition is the
/// instrument list as written here, and <c>promtool check metrics</c> lints it clean.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "CompositeGateway";

    private static readonly string[] StatusCodeText = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly Counter<long> _kuboRequests;
    private readonly Histogram<double> _kuboRequestDuration;
    private readonly Counter<long> _underclusterRequests;
    private readonly Histogram<double> _underclusterRequestDuration;
    private readonly Counter<long> _underclusterProbes;
    private long _pinsWaiting;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName, ProductInfo.Version);
        Meter = meter;
        var secondsAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = PrometheusCollector.DefaultSecondsBuckets };

        _kuboRequests = meter.CreateCounter<long>(
            "gateway_kubo_requests_total",
            description: "Kubo RPC requests answered to the overcluster peer, by command (e.g. pin/add) and HTTP status code.");
        _kuboRequestDuration = meter.CreateHistogram(
            "gateway_kubo_request_duration_seconds",
            unit: "s",
            description: "Time to answer a Kubo RPC request, by command (streams: until the last byte).",
            advice: secondsAdvice);
        _underclusterRequests = meter.CreateCounter<long>(
            "gateway_undercluster_requests_total",
            description: "Calls to an undercluster's REST API, by undercluster and outcome (success, connect_error, timeout, http_error, circuit_open, cancelled); retries count once, health probes not at all (see gateway_undercluster_probes_total).");
        _underclusterRequestDuration = meter.CreateHistogram(
            "gateway_undercluster_request_duration_seconds",
            unit: "s",
            description: "Duration of calls to an undercluster's REST API, by undercluster.",
            advice: secondsAdvice);
        _underclusterProbes = meter.CreateCounter<long>(
            "gateway_undercluster_probes_total",
            description: "Health probes (GET /id) sent to an undercluster, by undercluster and outcome.");
        // Observed rather than an UpDownCounter so that the series reads 0 before the first pin, not absent.
        meter.CreateObservableUpDownCounter(
            "gateway_pins_waiting",
            () => Volatile.Read(ref _pinsWaiting),
            description: "Pin requests currently waiting for the underclusters to report the content pinned.");
        meter.CreateObservableGauge(
            "gateway_build_info",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", ProductInfo.Version)),
            description: "Always 1; the version label says which build is running.");
    }

    /// <summary>
    /// The gateway's meter, for instruments whose values live elsewhere (the undercluster health gauges: see
    /// <c>Underclusters/UnderclusterGauges.cs</c>), so that telemetry depends on no feature.
    /// </summary>
    public Meter Meter { get; }

    public void RecordKuboRequest(string command, int statusCode, TimeSpan elapsed)
    {
        var code = statusCode is >= 0 and < 600 ? StatusCodeText[statusCode] : "other";
        _kuboRequests.Add(1, new TagList { { "command", command }, { "code", code } });
        _kuboRequestDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("command", command));
    }

    /// <summary>One REST call; <c>outcome</c> is one of the small closed set in the counter's description, since it becomes a label.</summary>
    public void RecordUnderclusterRequest(string undercluster, string outcome, TimeSpan elapsed)
    {
        _underclusterRequests.Add(1, new TagList { { "undercluster", undercluster }, { "outcome", outcome } });
        _underclusterRequestDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("undercluster", undercluster));
    }

    public void RecordProbe(string undercluster, string outcome) =>
        _underclusterProbes.Add(1, new TagList { { "undercluster", undercluster }, { "outcome", outcome } });

    public void PinWaitStarted() => Interlocked.Increment(ref _pinsWaiting);

    public void PinWaitEnded() => Interlocked.Decrement(ref _pinsWaiting);
}
