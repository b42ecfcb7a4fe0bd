using System.Net;
using CompositeGateway.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CompositeGateway.Clusters;

/// <summary>
/// One undercluster's resilience (Polly v8 through <c>AddResilienceHandler</c>, see <c>AddClusterClients</c>): the
/// pipelines' strategies and the state that must outlive any one request: the circuit breaker the health probe holds
/// open, and the token that cancels calls in flight when the probe declares the undercluster down.
/// </summary>
/// <remarks>
/// A call's pipeline, outermost first: <b>budget</b> (the undercluster's <c>timeout</c>: one budget for the whole call,
/// every attempt inside it, docs/configuration.md) → <b>retry</b> (GET only, quick failures only: a hang uses the
/// budget up) → <b>circuit breaker</b>. It covers the send up to response headers; <see cref="ClusterClient"/> reads a
/// single document's body within what is left of the budget, and a stream's body under the caller's token only.
/// Health probes have a pipeline of their own, the budget only: the breaker neither blocks nor counts them, so the
/// probe is the one that sees an isolated undercluster come back.
/// </remarks>
internal sealed class ClusterResilience
{
    /// <summary>The name given to <c>AddResilienceHandler</c>.</summary>
    public const string PipelineName = "undercluster";

    /// <summary>Request option (Refit <c>[Property]</c>): true sends the request through the probe pipeline.</summary>
    public const string HealthProbeProperty = "composite-gateway.health-probe";

    /// <summary>Request option (Refit <c>[Property]</c>): replaces the undercluster's timeout for this call; <see cref="Timeout.InfiniteTimeSpan"/> = none.</summary>
    public const string BudgetProperty = "composite-gateway.budget";

    /// <summary>The pipeline instance keys (<c>SelectPipelineBy</c>).</summary>
    public const string CallPipeline = "call";

    public const string ProbePipeline = "probe";

    private static readonly HttpRequestOptionsKey<bool> HealthProbeOption = new(HealthProbeProperty);
    private static readonly HttpRequestOptionsKey<TimeSpan> BudgetOption = new(BudgetProperty);

    /// <summary>The caller's token as the budget strategy received it, so the breaker can tell "budget spent" from "caller gone".</summary>
    private static readonly ResiliencePropertyKey<CancellationToken> CallerTokenKey = new("composite-gateway.caller-token");

    private readonly UnderclusterOptions _cluster;
    private readonly ClusterClientSettings _settings;
    private readonly ILogger _logger;
    // The breaker's state as its own callbacks last reported it. Not a CircuitBreakerStateProvider: one provider may serve
    // only one breaker, and the pipeline registry may build a pipeline twice when its first calls race (one copy is kept).
    private int _breakerState = (int)CircuitState.Closed;
    private readonly CircuitBreakerManualControl _manual = new();
    private CancellationTokenSource _inFlight = new();
    private string? _isolationReason;
    private int _isolated;

    public ClusterResilience(UnderclusterOptions cluster, ClusterClientSettings settings, ILogger logger)
    {
        _cluster = cluster;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>
    /// Current breaker state, for metrics and <c>/ready</c>. The call pipeline (and so its breaker) is built at the first
    /// call; until then an isolation waits in the manual control, which applies it when the breaker attaches.
    /// </summary>
    public CircuitState CircuitState => IsIsolated ? CircuitState.Isolated : (CircuitState)Volatile.Read(ref _breakerState);

    /// <summary>Raised on every breaker transition (from the thread of the call that caused it).</summary>
    public event EventHandler<CircuitState>? CircuitStateChanged;

    /// <summary>Whether the circuit is held open by <see cref="IsolateAsync"/> (the health probe saw the undercluster down).</summary>
    public bool IsIsolated => Volatile.Read(ref _isolated) == 1;

    /// <summary>The probe's reason for the current isolation (null when not isolated).</summary>
    public string? IsolationReason => Volatile.Read(ref _isolationReason);

    /// <summary>Cancelled when the probe declares the undercluster down: every call in flight links it (<see cref="ClusterClient"/>).</summary>
    public CancellationToken InFlightToken => Volatile.Read(ref _inFlight).Token;

    /// <summary>Which pipeline a request goes through.</summary>
    public static string SelectPipeline(HttpRequestMessage request) =>
        request.Options.TryGetValue(HealthProbeOption, out var probe) && probe ? ProbePipeline : CallPipeline;

    /// <summary>Builds the pipeline <paramref name="instance"/> (<see cref="CallPipeline"/> or <see cref="ProbePipeline"/>) of this undercluster.</summary>
    public void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, string instance, TimeProvider time)
    {
        builder.TimeProvider = time;
        // Polly's telemetry, which the resilience handler switches on for every pipeline, reports each attempt and each
        // event as a log line and a metric. The gateway logs retries and breaker transitions itself (ClusterLog) and
        // exports no Polly meter, so it would only add an asynchronous layer and its event arguments to every call.
        builder.TelemetryListener = null;
        var defaultBudget = _cluster.Timeout;
        builder.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "budget",
            TimeoutGenerator = args =>
            {
                // Runs before the strategy links its own token: this is still the caller's.
                args.Context.Properties.Set(CallerTokenKey, args.Context.CancellationToken);
                var request = args.Context.GetRequestMessage();
                // A non-positive budget (InfiniteTimeSpan) disables the strategy for that call.
                return ValueTask.FromResult(request is not null && request.Options.TryGetValue(BudgetOption, out var budget) ? budget : defaultBudget);
            },
        });

        if (instance == ProbePipeline)
        {
            return;
        }

        if (_settings.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "retry",
                MaxRetryAttempts = _settings.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _settings.RetryBaseDelay,
                MaxDelay = _settings.RetryMaxDelay,
                // POST/DELETE are never retried: a repeated pin POST is a new state update (docs/protocol/cluster-rest.md §5.7).
                ShouldHandle = args => ValueTask.FromResult(IsIdempotent(args.Context) && IsTransient(args.Outcome, args.Context)),
                OnRetry = args =>
                {
                    ClusterLog.Retrying(_logger, _cluster.Name, args.AttemptNumber + 1, OperationOf(args.Context), args.RetryDelay, Reason(args.Outcome));
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "breaker",
            FailureRatio = _settings.BreakerFailureRatio,
            SamplingDuration = _settings.BreakerSamplingDuration,
            MinimumThroughput = _settings.BreakerMinimumThroughput,
            BreakDuration = _settings.BreakerBreakDuration,
            ManualControl = _manual,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context)),
            OnOpened = args =>
            {
                if (!args.IsManual)
                {
                    ClusterLog.CircuitOpened(_logger, _cluster.Name, args.BreakDuration, Reason(args.Outcome));
                }

                Volatile.Write(ref _breakerState, (int)CircuitState.Open);
                CircuitStateChanged?.Invoke(this, CircuitState.Open);
                return default;
            },
            OnHalfOpened = _ =>
            {
                ClusterLog.CircuitHalfOpened(_logger, _cluster.Name);
                Volatile.Write(ref _breakerState, (int)CircuitState.HalfOpen);
                CircuitStateChanged?.Invoke(this, CircuitState.HalfOpen);
                return default;
            },
            OnClosed = _ =>
            {
                ClusterLog.CircuitClosed(_logger, _cluster.Name);
                Volatile.Write(ref _breakerState, (int)CircuitState.Closed);
                CircuitStateChanged?.Invoke(this, CircuitState.Closed);
                return default;
            },
        });
    }

    /// <summary>
    /// Holds the circuit open until <see cref="CloseAsync"/>: every new call fails at once with
    /// <see cref="ClusterFailureKind.CircuitOpen"/> instead of waiting for its connect error or timeout, and every call in
    /// flight is cancelled with the same failure and the probe's <paramref name="reason"/> (a hung undercluster would
    /// otherwise hold each of them for its whole budget). The health probe knows an undercluster is down before enough
    /// calls have failed for the breaker to trip on its own, and it keeps probing (its pipeline has no breaker), so it is
    /// also the one to notice the recovery. Idempotent.
    /// </summary>
    public async Task IsolateAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _isolated, 1) == 0)
        {
            Volatile.Write(ref _isolationReason, reason);
            ClusterLog.CircuitIsolated(_logger, _cluster.Name, reason);
            await _manual.IsolateAsync(cancellationToken);
            // Calls that start from now on are refused by the breaker; the old token is for those already running.
            // Not disposed: a call may still be linking to it, and a cancelled source holds no timer.
            var inFlight = Interlocked.Exchange(ref _inFlight, new CancellationTokenSource());
            await inFlight.CancelAsync();
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
            Volatile.Write(ref _isolationReason, null);
        }
    }

    /// <summary>
    /// Failures that say "this undercluster is unwell" rather than "this request is wrong": no
    /// response, a spent budget, and the gateway-ish statuses. A 500 from a handler (e.g. not enough
    /// peers to allocate, docs/protocol/cluster-rest.md §4) is an answer, not an outage, so it counts for neither.
    /// A cancellation counts only when the caller did not cancel: it is then the budget running out.
    /// </summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, ResilienceContext context) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: OperationCanceledException } => context.Properties.TryGetValue(CallerTokenKey, out var caller) && !caller.IsCancellationRequested,
        { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };

    private static bool IsIdempotent(ResilienceContext context) =>
        context.GetRequestMessage() is { } request && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);

    private static string OperationOf(ResilienceContext context) =>
        context.GetRequestMessage() is { } request ? $"{request.Method} {request.RequestUri?.AbsolutePath}" : "request";

    private static string Reason(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.GetType().Name + ": " + e.Message : $"HTTP {(int)outcome.Result!.StatusCode}";
}
