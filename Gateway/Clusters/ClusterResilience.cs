using System.Net;
using CompositeGateway.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CompositeGateway.Clusters;

/// <summary>
/// The resilience pipeline of one undercluster (Polly v8): retry (GET only) → circuit breaker →
/// per-attempt timeout. It wraps the send up to response headers only — the handler returns once
/// headers arrive — so nothing is ever retried after a body started streaming, and a stream's
/// body is bounded by the caller's token, not by the attempt timeout. One instance per
/// undercluster for the process lifetime: the breaker's state must survive handler rotation.
/// </summary>
internal sealed class ClusterResilience
{
    /// <summary>The request being sent, so strategies can tell idempotent calls apart.</summary>
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("composite-gateway.cluster-request");

    /// <summary>Per-request override of the attempt timeout (see <see cref="AttemptTimeoutOption"/>).</summary>
    internal static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeoutKey = new("composite-gateway.attempt-timeout");

    /// <summary>
    /// Set on an <see cref="HttpRequestMessage"/> to replace the undercluster's timeout for that call;
    /// <see cref="Timeout.InfiniteTimeSpan"/> leaves only the caller's token (uploads, repo GC).
    /// </summary>
    internal static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeoutOption = new("composite-gateway.attempt-timeout");

    /// <summary>Set (true) on an <see cref="HttpRequestMessage"/> to send it through <see cref="ProbePipeline"/> (see <see cref="ClusterCallMode.HealthProbe"/>).</summary>
    internal static readonly HttpRequestOptionsKey<bool> HealthProbeOption = new("composite-gateway.health-probe");

    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly CircuitBreakerManualControl _manual = new();
    private readonly string _cluster;
    private readonly ILogger _logger;
    private int _isolated;

    public ClusterResilience(UnderclusterOptions cluster, ClusterClientSettings settings, TimeProvider time, ILogger logger)
    {
        _cluster = cluster.Name;
        _logger = logger;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>
        {
            Name = "undercluster",
            InstanceName = cluster.Name,
            TimeProvider = time,
        };

        if (settings.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                // POST/DELETE are never retried: a repeated pin POST is a new state update (docs/protocol/cluster-rest.md §5.7).
                ShouldHandle = args => ValueTask.FromResult(IsIdempotent(args.Context) && IsTransient(args.Outcome)),
                OnRetry = args =>
                {
                    ClusterLog.Retrying(logger, _cluster, args.AttemptNumber + 1, OperationOf(args.Context), args.RetryDelay, Reason(args.Outcome));
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = settings.BreakerFailureRatio,
            SamplingDuration = settings.BreakerSamplingDuration,
            MinimumThroughput = settings.BreakerMinimumThroughput,
            BreakDuration = settings.BreakerBreakDuration,
            StateProvider = _circuit,
            ManualControl = _manual,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                if (!args.IsManual)
                {
                    ClusterLog.CircuitOpened(logger, _cluster, args.BreakDuration, Reason(args.Outcome));
                }

                CircuitStateChanged?.Invoke(this, CircuitState.Open);
                return default;
            },
            OnHalfOpened = _ =>
            {
                ClusterLog.CircuitHalfOpened(logger, _cluster);
                CircuitStateChanged?.Invoke(this, CircuitState.HalfOpen);
                return default;
            },
            OnClosed = _ =>
            {
                ClusterLog.CircuitClosed(logger, _cluster);
                CircuitStateChanged?.Invoke(this, CircuitState.Closed);
                return default;
            },
        });

        var defaultTimeout = cluster.Timeout;
        var timeout = new TimeoutStrategyOptions
        {
            // A non-positive timeout (InfiniteTimeSpan) disables the strategy for that attempt.
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(AttemptTimeoutKey, defaultTimeout)),
        };
        builder.AddTimeout(timeout);
        Pipeline = builder.Build();

        ProbePipeline = new ResiliencePipelineBuilder<HttpResponseMessage>
        {
            Name = "undercluster-probe",
            InstanceName = cluster.Name,
            TimeProvider = time,
        }.AddTimeout(timeout).Build();
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>Health probes: the attempt timeout only; no retry, and the breaker neither blocks nor counts them.</summary>
    public ResiliencePipeline<HttpResponseMessage> ProbePipeline { get; }

    /// <summary>Current breaker state, for metrics and <c>/ready</c>.</summary>
    public CircuitState CircuitState => _circuit.CircuitState;

    /// <summary>Raised on every breaker transition (from the thread of the call that caused it).</summary>
    public event EventHandler<CircuitState>? CircuitStateChanged;

    /// <summary>Whether the circuit is held open by <see cref="IsolateAsync"/> (the health probe saw the undercluster down).</summary>
    public bool IsIsolated => Volatile.Read(ref _isolated) == 1;

    /// <summary>
    /// Holds the circuit open until <see cref="CloseAsync"/>: every call fails at once with
    /// <see cref="ClusterFailureKind.CircuitOpen"/> instead of waiting for its connect error or timeout.
    /// The health probe knows an undercluster is down before enough calls have failed for the breaker to
    /// trip on its own, and it keeps probing (probes go through <see cref="ProbePipeline"/>, which has no
    /// breaker), so it is also the one to notice the recovery. Idempotent.
    /// </summary>
    public async Task IsolateAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _isolated, 1) == 0)
        {
            ClusterLog.CircuitIsolated(_logger, _cluster, reason);
            await _manual.IsolateAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Ends an <see cref="IsolateAsync"/> (the probe saw the undercluster answer again): the circuit closes,
    /// calls flow. Does nothing when the circuit is not isolated, so a breaker that tripped on calls' own
    /// failures keeps its break duration and half-open trial.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _isolated, 0) == 1)
        {
            await _manual.CloseAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Failures that say "this undercluster is unwell" rather than "this request is wrong": no
    /// response, timeouts, and the gateway-ish statuses. A 500 from a handler (e.g. not enough
    /// peers to allocate, docs/protocol/cluster-rest.md §4) is an answer, not an outage, so it counts for neither.
    /// </summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };

    private static bool IsIdempotent(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);

    private static string OperationOf(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) ? $"{request.Method} {request.RequestUri?.AbsolutePath}" : "request";

    private static string Reason(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.GetType().Name + ": " + e.Message : $"HTTP {(int)outcome.Result!.StatusCode}";
}
