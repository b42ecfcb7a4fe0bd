using System.Collections.Concurrent;
using Prometheus;

namespace CompositeGateway.Telemetry;

/// <summary>
/// The gateway's own metric families, in one prometheus-net registry per host (<see cref="Registry"/>, served at
/// <c>/metrics</c>). Written with prometheus-net's own API rather than <c>System.Diagnostics.Metrics</c> plus its meter
/// adapter, so that the family names, <c>_total</c> suffixes, HELP texts and histogram buckets on the wire are the ones
/// written here (docs/observability.md "Why prometheus-net's own API"). Label values are closed sets or configured
/// undercluster names: never a CID.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>Prometheus client_golang's defaults, extended to 60 s: undercluster calls may run to their 30 s timeout.</summary>
    public static readonly double[] DefaultSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Pin waits run from sub-second (already pinned) to <c>wait_limit</c> (default 1 h).</summary>
    private static readonly double[] PinWaitSecondsBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly string[] StatusCodeText = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly Counter _kuboRequests;
    private readonly Histogram _kuboRequestDuration;
    // The labelled children of the per-request series, found by one lookup instead of prometheus-net's label-array
    // path (an array and a label sequence per call); both key sets are closed (commands, status codes).
    private readonly ConcurrentDictionary<(string Command, int Code), Counter.Child> _kuboRequestChildren = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _kuboRequestDurationChildren = new(StringComparer.Ordinal);
    private readonly Counter _kuboErrors;
    private readonly Counter _underclusterRequests;
    private readonly Histogram _underclusterRequestDuration;
    private readonly Counter _underclusterProbes;
    private readonly Gauge _pinsWaiting;
    private readonly Counter _pinWaits;
    private readonly Histogram _pinWaitDuration;

    public GatewayMetrics(GatewayMetricsOptions? options = null)
    {
        Registry = Metrics.NewCustomRegistry();
        // Exemplars only travel in OpenMetrics, which /metrics does not serve (0.0.4 text, as documented).
        Factory = Metrics.WithCustomRegistry(Registry);
        Factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        _kuboRequests = Factory.CreateCounter(
            "gateway_kubo_requests_total",
            "Kubo RPC requests answered to the overcluster peer, by command (e.g. pin/add) and HTTP status code.",
            ["command", "code"]);
        _kuboRequestDuration = Factory.CreateHistogram(
            "gateway_kubo_request_duration_seconds",
            "Time to answer a Kubo RPC request, by command (streams: until the last byte).",
            new HistogramConfiguration { LabelNames = ["command"], Buckets = DefaultSecondsBuckets });
        _kuboErrors = Factory.CreateCounter(
            "gateway_kubo_errors_total",
            "Kubo RPC errors answered to the overcluster peer, by command and kind (bad_argument, not_pinned, unreachable, timeout, inception, not_allowed, not_found, undercluster_error, internal).",
            ["command", "kind"]);
        _underclusterRequests = Factory.CreateCounter(
            "gateway_undercluster_requests_total",
            "Calls to an undercluster's REST API, by undercluster and outcome (success, connect_error, timeout, http_error, circuit_open, cancelled); retries count once, health probes not at all (see gateway_undercluster_probes_total).",
            ["undercluster", "outcome"]);
        _underclusterRequestDuration = Factory.CreateHistogram(
            "gateway_undercluster_request_duration_seconds",
            "Duration of calls to an undercluster's REST API, by undercluster.",
            new HistogramConfiguration { LabelNames = ["undercluster"], Buckets = DefaultSecondsBuckets });
        _underclusterProbes = Factory.CreateCounter(
            "gateway_undercluster_probes_total",
            "Health probes (GET /id) sent to an undercluster, by undercluster and outcome.",
            ["undercluster", "outcome"]);
        _pinsWaiting = Factory.CreateGauge(
            "gateway_pins_waiting",
            "Pins currently waiting for an undercluster to report the content pinned, by undercluster.",
            ["undercluster"]);
        _pinWaits = Factory.CreateCounter(
            "gateway_pin_waits_total",
            "Pin waits that ended, by undercluster and outcome (pinned, pin_error, wait_limit, unreachable, cancelled).",
            ["undercluster", "outcome"]);
        _pinWaitDuration = Factory.CreateHistogram(
            "gateway_pin_wait_duration_seconds",
            "How long a pin wait lasted until it ended (any outcome), by undercluster; the buckets reach pin_path.wait_limit.",
            new HistogramConfiguration { LabelNames = ["undercluster"], Buckets = PinWaitBuckets(options?.PinWaitLimit ?? TimeSpan.Zero) });
        Factory.CreateGauge("gateway_build_info", "Always 1; the version label says which build is running.", ["version"])
            .WithLabels(ProductInfo.Version).Set(1);

        // Series that read 0 before the first event, not absent, so that rate() and alerts see them from the start.
        foreach (var undercluster in options?.Underclusters ?? [])
        {
            _pinsWaiting.WithLabels(undercluster).Set(0);
        }
    }

    /// <summary>This host's registry: what <c>/metrics</c> renders. Two hosts in one process never share one.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>For families whose values live elsewhere (the undercluster gauges, the process metrics), so that telemetry depends on no feature.</summary>
    public IMetricFactory Factory { get; }

    public void RecordKuboRequest(string command, int statusCode, TimeSpan elapsed)
    {
        var key = (command, statusCode is >= 0 and < 600 ? statusCode : -1);
        if (!_kuboRequestChildren.TryGetValue(key, out var requests))
        {
            requests = _kuboRequestChildren.GetOrAdd(key, k => _kuboRequests.WithLabels(k.Command, k.Code >= 0 ? StatusCodeText[k.Code] : "other"));
        }

        if (!_kuboRequestDurationChildren.TryGetValue(command, out var duration))
        {
            duration = _kuboRequestDurationChildren.GetOrAdd(command, c => _kuboRequestDuration.WithLabels(c));
        }

        requests.Inc();
        duration.Observe(elapsed.TotalSeconds);
    }

    /// <summary>One Kubo error answered; <paramref name="kind"/> is one of <see cref="KuboErrorKinds"/>.</summary>
    public void RecordKuboError(string command, string kind) => _kuboErrors.WithLabels(command, kind).Inc();

    /// <summary>One REST call; <c>outcome</c> is one of the small closed set in the counter's help, since it becomes a label.</summary>
    public void RecordUnderclusterRequest(string undercluster, string outcome, TimeSpan elapsed)
    {
        _underclusterRequests.WithLabels(undercluster, outcome).Inc();
        _underclusterRequestDuration.WithLabels(undercluster).Observe(elapsed.TotalSeconds);
    }

    public void RecordProbe(string undercluster, string outcome) => _underclusterProbes.WithLabels(undercluster, outcome).Inc();

    public void PinWaitStarted(string undercluster) => _pinsWaiting.WithLabels(undercluster).Inc();

    /// <summary>One pin wait over; <paramref name="outcome"/> is one of <see cref="PinWaitOutcomes"/>.</summary>
    public void PinWaitEnded(string undercluster, string outcome, TimeSpan waited)
    {
        _pinsWaiting.WithLabels(undercluster).Dec();
        _pinWaits.WithLabels(undercluster, outcome).Inc();
        _pinWaitDuration.WithLabels(undercluster).Observe(waited.TotalSeconds);
    }

    /// <summary>The fixed buckets, plus <c>wait_limit</c> itself when it lies beyond them, so that "reached the limit" has a bucket.</summary>
    internal static double[] PinWaitBuckets(TimeSpan waitLimit)
    {
        var limit = waitLimit.TotalSeconds;
        return limit > PinWaitSecondsBuckets[^1] ? [.. PinWaitSecondsBuckets, limit] : PinWaitSecondsBuckets;
    }
}
