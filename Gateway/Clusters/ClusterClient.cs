using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Telemetry;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace CompositeGateway.Clusters;

/// <summary>
/// Typed client of one undercluster's REST API (docs/protocol/cluster-rest.md), the facade over its Refit declaration
/// (<see cref="IClusterRestApi"/>). Every method returns a <see cref="ClusterResult{T}"/> or a <see cref="ClusterStream{T}"/>:
/// upstream failures are values, never exceptions (docs/development/style.md §6). Thread-safe; one per undercluster.
/// </summary>
internal sealed class ClusterClient
{
    /// <summary>The only 404 that means "absent" rather than "wrong URL" (docs/protocol/cluster-rest.md §1.2, state's not-found error).</summary>
    private const string NotInPinsetMessage = "pin is not part of the pinset";

    private const string StreamErrorTrailer = "X-Stream-Error";

    private readonly UnderclusterOptions _options;
    private readonly IClusterRestApi _api;
    private readonly ClusterResilience _resilience;
    private readonly ClusterClientSettings _settings;
    private readonly GatewayMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _baseLength;

    /// <remarks>
    /// <paramref name="api"/> must be this undercluster's Refit client, whose HttpClient runs <paramref name="resilience"/>'s
    /// pipelines (see <c>AddClusterClients</c> in the undercluster module).
    /// </remarks>
    public ClusterClient(UnderclusterOptions options, IClusterRestApi api, ClusterResilience resilience, ClusterClientSettings settings, GatewayMetrics? metrics, TimeProvider time, ILogger<ClusterClient> logger)
    {
        _options = options;
        _api = api;
        _resilience = resilience;
        _settings = settings;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _baseLength = BaseAddress(options.Url).OriginalString.Length;
    }

    public string Name => _options.Name;

    public Uri Url => _options.Url;

    /// <summary>The undercluster's configuration (timeout, placement weight, replication), for the composition layer.</summary>
    public UnderclusterOptions Options => _options;

    /// <summary>The circuit breaker's state for this undercluster (metrics, <c>/ready</c>).</summary>
    public CircuitState CircuitState => _resilience.CircuitState;

    /// <summary>Raised on every breaker transition.</summary>
    public event EventHandler<CircuitState>? CircuitStateChanged
    {
        add => _resilience.CircuitStateChanged += value;
        remove => _resilience.CircuitStateChanged -= value;
    }

    /// <summary>Whether calls fail fast because the health probe sees this undercluster down (<see cref="IsolateAsync"/>).</summary>
    public bool IsIsolated => _resilience.IsIsolated;

    /// <summary>The health probe saw this undercluster down: hold the circuit open and cancel calls in flight (see <see cref="ClusterResilience.IsolateAsync"/>).</summary>
    public Task IsolateAsync(string reason, CancellationToken cancellationToken) => _resilience.IsolateAsync(reason, cancellationToken);

    /// <summary>The health probe saw this undercluster answer again: let calls flow (see <see cref="ClusterResilience.CloseAsync"/>).</summary>
    public Task CloseCircuitAsync(CancellationToken cancellationToken) => _resilience.CloseAsync(cancellationToken);

    /// <summary>The base address of the Refit client: the configured URL without query or trailing slash.</summary>
    internal static Uri BaseAddress(Uri url) => new(url.GetLeftPart(UriPartial.Authority) + url.AbsolutePath.TrimEnd('/'));

    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1).</summary>
    public Task<ClusterResult<ClusterPeer>> GetIdAsync(CancellationToken cancellationToken) =>
        GetIdAsync(ClusterCallMode.Normal, cancellationToken);

    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1); <see cref="ClusterCallMode.HealthProbe"/> for the health monitor.</summary>
    public async Task<ClusterResult<ClusterPeer>> GetIdAsync(ClusterCallMode mode, CancellationToken cancellationToken)
    {
        var probe = mode == ClusterCallMode.HealthProbe;
        var result = await CallCoreAsync(new Call("GET", "/id", (api, token) => api.GetIdAsync(probe, token)) { Mode = mode }, ClusterJsonContext.Default.ClusterPeer, absentIsNull: false, whenNull: null, cancellationToken);
        return result.IsSuccess ? result.Value! : result.Failure;
    }

    /// <summary><c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3): one item per cluster peer; unreachable ones carry <c>error</c>.</summary>
    public ClusterStream<ClusterPeer> StreamPeersAsync(CancellationToken cancellationToken) =>
        StreamPeersAsync(ClusterCallMode.Normal, cancellationToken);

    /// <summary><c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3); <see cref="ClusterCallMode.HealthProbe"/> for the health monitor's topology check.</summary>
    public ClusterStream<ClusterPeer> StreamPeersAsync(ClusterCallMode mode, CancellationToken cancellationToken)
    {
        var probe = mode == ClusterCallMode.HealthProbe;
        return Stream(new Call("GET", "/peers", (api, token) => api.GetPeersAsync(probe, token)) { Mode = mode }, ClusterJsonContext.Default.ClusterPeer, cancellationToken);
    }

    /// <summary>
    /// <c>POST /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.4): returns when the pin is in the shared state, not when pinned.
    /// Never retried. Options are validated first; invalid ones fail with <see cref="ClusterFailureKind.InvalidRequest"/>.
    /// </summary>
    public Task<ClusterResult<ClusterPin>> PinAsync(Cid cid, PinRequest? options, CancellationToken cancellationToken)
    {
        var text = cid.ToString();
        var path = "/pins/" + text;
        options ??= new PinRequest();
        var problems = options.Validate(_time.GetUtcNow());
        var query = options.ToQuery();
        return problems.Count > 0
            ? Task.FromResult<ClusterResult<ClusterPin>>(Invalid("POST " + path, string.Join("; ", problems)))
            : CallAsync(new Call("POST", path, (api, token) => api.PinAsync(text, query, token)), ClusterJsonContext.Default.ClusterPin, cancellationToken);
    }

    /// <summary><c>POST /pins/{ipfs|ipns|ipld}/{path}</c> (docs/protocol/cluster-rest.md §5.5): resolved by the contacted peer's daemon; honours <c>mode=direct</c>.</summary>
    public Task<ClusterResult<ClusterPin>> PinPathAsync(string path, PinRequest? options, CancellationToken cancellationToken)
    {
        options ??= new PinRequest();
        if (ClusterSyntax.ToPinPath(path) is not { } pinPath)
        {
            return Task.FromResult<ClusterResult<ClusterPin>>(Invalid("POST /pins/…", $"\"{path}\" is not an /ipfs/, /ipns/ or /ipld/ path"));
        }

        var problems = options.Validate(_time.GetUtcNow());
        var query = options.ToQuery();
        // Refit escapes each segment of a {**path} itself.
        var segments = Uri.UnescapeDataString(pinPath[1..]);
        return problems.Count > 0
            ? Task.FromResult<ClusterResult<ClusterPin>>(Invalid("POST /pins" + pinPath, string.Join("; ", problems)))
            : CallAsync(new Call("POST", "/pins" + pinPath, (api, token) => api.PinPathAsync(segments, query, token)), ClusterJsonContext.Default.ClusterPin, cancellationToken);
    }

    /// <summary>
    /// <c>DELETE /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.6): the pin as it was, or <c>null</c> when the CID was not in
    /// the pinset (404 <c>pin is not part of the pinset</c>). Never retried.
    /// </summary>
    public Task<ClusterResult<ClusterPin?>> UnpinAsync(Cid cid, CancellationToken cancellationToken)
    {
        var text = cid.ToString();
        return CallCoreAsync(new Call("DELETE", "/pins/" + text, (api, token) => api.UnpinAsync(text, token)), ClusterJsonContext.Default.ClusterPin, absentIsNull: true, whenNull: null, cancellationToken);
    }

    /// <summary><c>GET /allocations/{cid}</c> (docs/protocol/cluster-rest.md §5.12): the pinset entry, or <c>null</c> when the CID is not in the pinset.</summary>
    public Task<ClusterResult<ClusterPin?>> GetAllocationAsync(Cid cid, CancellationToken cancellationToken)
    {
        var text = cid.ToString();
        return CallCoreAsync(new Call("GET", "/allocations/" + text, (api, token) => api.GetAllocationAsync(text, token)), ClusterJsonContext.Default.ClusterPin, absentIsNull: true, whenNull: null, cancellationToken);
    }

    /// <summary>
    /// <c>GET /allocations</c> (docs/protocol/cluster-rest.md §5.11): the authoritative pinset. <paramref name="filter"/> is a PinType list (§3.2); null = all.
    /// The overload with a view decodes the items with fewer members (<see cref="ListingView.Pin"/>); null = every member.
    /// </summary>
    public ClusterStream<ClusterPin> StreamAllocationsAsync(string? filter, CancellationToken cancellationToken) =>
        StreamAllocationsAsync(filter, view: null, cancellationToken);

    /// <inheritdoc cref="StreamAllocationsAsync(string?, CancellationToken)"/>
    public ClusterStream<ClusterPin> StreamAllocationsAsync(string? filter, JsonTypeInfo<ClusterPin>? view, CancellationToken cancellationToken)
    {
        filter = string.IsNullOrEmpty(filter) ? null : filter;
        return Stream(new Call("GET", "/allocations", (api, token) => api.GetAllocationsAsync(filter, token)), view ?? ClusterJsonContext.Default.ClusterPin, cancellationToken);
    }

    /// <summary><c>GET /pins/{cid}?local=</c> (docs/protocol/cluster-rest.md §5.9). A CID not in the pinset still answers, with every peer <c>unpinned</c>.</summary>
    public Task<ClusterResult<GlobalPinInfo>> GetStatusAsync(Cid cid, bool local, CancellationToken cancellationToken) =>
        GetStatusAsync(cid, local, view: null, cancellationToken);

    /// <inheritdoc cref="GetStatusAsync(Cid, bool, CancellationToken)"/>
    /// <remarks>With a view the answer is decoded with fewer members (<see cref="QueryView.Status"/>); null = every member.</remarks>
    public Task<ClusterResult<GlobalPinInfo>> GetStatusAsync(Cid cid, bool local, JsonTypeInfo<GlobalPinInfo>? view, CancellationToken cancellationToken)
    {
        var text = cid.ToString();
        return CallAsync(new Call("GET", "/pins/" + text, (api, token) => api.GetStatusAsync(text, Local(local), token)), view ?? ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);
    }

    /// <summary>
    /// <c>GET /pins</c> (docs/protocol/cluster-rest.md §5.8). With <paramref name="cids"/> null: every pin (matching
    /// <paramref name="filter"/>, a TrackerStatus list). With <paramref name="cids"/>: only those
    /// (the cluster then ignores the filter), in completion order, split into as many requests as
    /// keep each URL under <see cref="ClusterClientSettings.MaxRequestTargetLength"/>; an empty list
    /// sends nothing. Per-CID failures (the <c>X-Stream-Error</c> trailer) do not stop later
    /// batches; they end the stream as <see cref="ClusterFailureKind.StreamBroken"/> listing them all.
    /// The overload with a view decodes the items with fewer members (<see cref="ListingView.Status"/> for the listing,
    /// <see cref="QueryView.Status"/> for the waits and placement); null = every member.
    /// </summary>
    public ClusterStream<GlobalPinInfo> StreamStatusAsync(string? filter, IEnumerable<string>? cids, bool local, CancellationToken cancellationToken) =>
        StreamStatusAsync(filter, cids, local, view: null, cancellationToken);

    /// <inheritdoc cref="StreamStatusAsync(string?, IEnumerable{string}?, bool, CancellationToken)"/>
    public ClusterStream<GlobalPinInfo> StreamStatusAsync(string? filter, IEnumerable<string>? cids, bool local, JsonTypeInfo<GlobalPinInfo>? view, CancellationToken cancellationToken)
    {
        var type = view ?? ClusterJsonContext.Default.GlobalPinInfo;
        filter = string.IsNullOrEmpty(filter) ? null : filter;
        var localValue = Local(local);
        if (cids is null)
        {
            return Stream(new Call("GET", "/pins", (api, token) => api.GetStatusAllAsync(localValue, filter, token)), type, cancellationToken);
        }

        var list = cids as IReadOnlyList<string> ?? [.. cids];
        if (list.FirstOrDefault(c => !ClusterSyntax.IsCid(c)) is { } bad)
        {
            return Failed<GlobalPinInfo>(Invalid("GET /pins", $"\"{bad}\" is not a CID"), cancellationToken);
        }

        // The request target as sent: /pins?local=…[&filter=…]&cids=… (the filter escaped, the comma list not).
        var fixedLength = _baseLength + "/pins?local=".Length + localValue.Length
            + (filter is null ? 0 : "&filter=".Length + Uri.EscapeDataString(filter).Length) + "&cids=".Length;
        var batches = SplitIntoBatches(list, fixedLength);
        if (batches.Count > 1)
        {
            ClusterLog.StatusBatched(_logger, Name, list.Count, batches.Count);
        }

        var calls = batches.Select(batch => new Call("GET", "/pins", (api, token) => api.GetStatusOfAsync(localValue, filter, batch, token))).ToList();
        return new ClusterStream<GlobalPinInfo>(
            (outcome, token) => StreamBatchesAsync(calls, type, outcome, token),
            () => ConsumerStopped("GET /pins"),
            cancellationToken);
    }

    /// <summary><c>POST /pins/{cid}/recover</c> (docs/protocol/cluster-rest.md §5.10). Not retried.</summary>
    public Task<ClusterResult<GlobalPinInfo>> RecoverAsync(Cid cid, bool local, CancellationToken cancellationToken)
    {
        var text = cid.ToString();
        return CallAsync(new Call("POST", "/pins/" + text + "/recover", (api, token) => api.RecoverAsync(text, Local(local), token)), ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);
    }

    /// <summary><c>GET /monitor/metrics/{name}</c> (docs/protocol/cluster-rest.md §5.15): latest valid metric per peer; empty when none (null or []).</summary>
    public Task<ClusterResult<IReadOnlyList<ClusterMetric>>> GetMetricsAsync(string name, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(name)
            ? Task.FromResult<ClusterResult<IReadOnlyList<ClusterMetric>>>(Invalid("GET /monitor/metrics/…", "empty metric name"))
            : CallAsync(new Call("GET", "/monitor/metrics/" + Uri.EscapeDataString(name), (api, token) => api.GetMetricsAsync(name, token)), ClusterJsonContext.Default.IReadOnlyListClusterMetric, cancellationToken, whenNull: []);

    /// <summary>
    /// <c>POST /ipfs/gc</c> (docs/protocol/cluster-rest.md §5.14). The answer comes only after every GC run finished (hours, possibly),
    /// so the undercluster timeout does not apply: only the caller's token bounds it.
    /// </summary>
    public Task<ClusterResult<GlobalRepoGc>> RepoGcAsync(bool local, CancellationToken cancellationToken) =>
        CallAsync(new Call("POST", "/ipfs/gc", (api, token) => api.RepoGcAsync(Local(local), Timeout.InfiniteTimeSpan, token)) { Budget = Timeout.InfiniteTimeSpan }, ClusterJsonContext.Default.GlobalRepoGc, cancellationToken);

    /// <summary>
    /// <c>POST /add</c> (docs/protocol/cluster-rest.md §5.13) with a <c>multipart/form-data</c> body in the go-ipfs-files layout;
    /// the request takes ownership of <paramref name="multipart"/> and sends it (streamed, never
    /// retried) when the result is enumerated. The undercluster timeout does not apply — an upload
    /// may take any time before the first output line — only the caller's token does.
    /// </summary>
    public ClusterStream<AddedOutput> AddAsync(HttpContent multipart, AddRequest request, CancellationToken cancellationToken)
    {
        var problems = request.Validate(_time.GetUtcNow()).ToList();
        if (multipart.Headers.ContentType?.MediaType != "multipart/form-data")
        {
            problems.Add("the body must be multipart/form-data");
        }

        var query = request.ToQuery();
        var call = new Call("POST", "/add", (api, token) => api.AddAsync(query, multipart, Timeout.InfiniteTimeSpan, token)) { Budget = Timeout.InfiniteTimeSpan, Owned = multipart };
        if (problems.Count > 0)
        {
            multipart.Dispose();
            return Failed<AddedOutput>(Invalid(call.Operation, string.Join("; ", problems)), cancellationToken);
        }

        return Stream(call, ClusterJsonContext.Default.AddedOutput, cancellationToken);
    }

    private static string Local(bool local) => local ? "true" : "false";

    /// <summary>
    /// A single document that is always there. Without <c>absentIsNull</c> a success is never null (a null document is a
    /// <see cref="ClusterFailureKind.BadBody"/> failure unless <paramref name="whenNull"/> stands in), so the nullable
    /// result is the same value, and the same runtime type: returned as it is, without a second asynchronous layer per call.
    /// </summary>
    private Task<ClusterResult<T>> CallAsync<T>(Call call, JsonTypeInfo<T> type, CancellationToken cancellationToken, T? whenNull = null)
        where T : class =>
        CallCoreAsync(call, type, absentIsNull: false, whenNull, cancellationToken)!;

    /// <summary>
    /// One single-document call within one budget: the pipeline's budget bounds the send (every attempt) up to the
    /// response headers, and the body is read within what is left of it. With <paramref name="absentIsNull"/>, the 404
    /// <c>pin is not part of the pinset</c> is the answer "absent" (null), not a failure.
    /// </summary>
    private async Task<ClusterResult<T?>> CallCoreAsync<T>(Call call, JsonTypeInfo<T> type, bool absentIsNull, T? whenNull, CancellationToken cancellationToken)
        where T : class
    {
        var started = _time.GetTimestamp();
        using var scope = new CallScope(this, call, cancellationToken);
        var (response, failure) = await SendAsync(call, scope, started);
        if (failure is not null)
        {
            return absentIsNull && failure.StatusCode == HttpStatusCode.NotFound && failure.Detail == NotInPinsetMessage
                ? ClusterResult<T?>.Success(null)
                : Fail(failure, call);
        }

        using (response)
        {
            var budget = call.Budget ?? _options.Timeout;
            var left = budget > TimeSpan.Zero ? Max(budget - _time.GetElapsedTime(started), TimeSpan.FromMilliseconds(1)) : Timeout.InfiniteTimeSpan;
            var token = scope.EndAfter(left, _time);
            try
            {
                await using var body = await response!.Content.ReadAsStreamAsync(token);
                var value = await JsonSerializer.DeserializeAsync(body, type, token) ?? whenNull;
                return value is not null
                    ? value
                    : Fail(Failure(ClusterFailureKind.BadBody, call, "null instead of a document") with { ExpectedType = type.Type.Name }, call);
            }
            catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, scope) is { } bodyFailure)
            {
                return Fail(bodyFailure with { TimeoutAfter = bodyFailure.Kind == ClusterFailureKind.Timeout && budget > TimeSpan.Zero ? budget : null }, call);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private ClusterStream<T> Stream<T>(Call call, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        new((outcome, token) => StreamOnceAsync(call, type, outcome, token), () => ConsumerStopped(call.Operation), cancellationToken);

    private ClusterStream<T> Failed<T>(ClusterFailure failure, CancellationToken cancellationToken) =>
        new((outcome, _) => FailedProducer<T>(outcome, failure), () => failure, cancellationToken);

#pragma warning disable CS1998 // an iterator that yields nothing but must be async to be an IAsyncEnumerable
    private static async IAsyncEnumerable<T> FailedProducer<T>(StreamOutcome outcome, ClusterFailure failure)
    {
        outcome.Failure = failure;
        yield break;
    }
#pragma warning restore CS1998

    private async IAsyncEnumerable<T> StreamBatchesAsync<T>(IReadOnlyList<Call> calls, JsonTypeInfo<T> type, StreamOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var trailerErrors = new List<string>();
        foreach (var call in calls)
        {
            var batch = new StreamOutcome();
            await foreach (var item in StreamOnceAsync(call, type, batch, cancellationToken))
            {
                yield return item;
            }

            if (batch.Failure is { } failure)
            {
                if (!batch.FromTrailer)
                {
                    outcome.Failure = failure;
                    yield break;
                }

                trailerErrors.Add(failure.Detail);
            }
        }

        if (trailerErrors.Count > 0)
        {
            outcome.Failure = Failure(ClusterFailureKind.StreamBroken, calls[0], string.Join("; ", trailerErrors));
            outcome.FromTrailer = true;
        }
    }

    /// <summary>
    /// One NDJSON stream (docs/protocol/cluster-rest.md §1.3): 204 = empty; items decoded one at a time as they arrive; after the
    /// last one the <c>X-Stream-Error</c> trailer, whose non-empty values mean failure (the first
    /// value is sent empty on purpose).
    /// </summary>
    private async IAsyncEnumerable<T> StreamOnceAsync<T>(Call call, JsonTypeInfo<T> type, StreamOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The budget covers the send up to the headers only; the body flows for as long as the consumer reads.
        using var owned = call.Owned;
        using var scope = new CallScope(this, call, cancellationToken);
        var (response, failure) = await SendAsync(call, scope, _time.GetTimestamp());
        if (failure is not null)
        {
            outcome.Failure = Fail(failure, call);
            yield break;
        }

        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NoContent)
            {
                yield break;
            }

            Stream? body = null;
            NdjsonItems<T>? items = null;
            try
            {
                try
                {
                    body = await response.Content.ReadAsStreamAsync(scope.Token);
                    items = new NdjsonItems<T>(body, type);
                }
                catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, scope) is { } bodyFailure)
                {
                    outcome.Failure = Fail(bodyFailure, call);
                }

                while (items is not null)
                {
                    T? item = default;
                    var more = false;
                    try
                    {
                        (more, item) = await items.NextAsync(scope.Token);
                    }
                    catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, scope) is { } bodyFailure)
                    {
                        outcome.Failure = Fail(bodyFailure, call);
                    }

                    if (outcome.Failure is not null || !more)
                    {
                        break;
                    }

                    if (item is null)
                    {
                        outcome.Failure = Fail(Failure(ClusterFailureKind.BadBody, call, "null item in stream") with { ExpectedType = type.Type.Name }, call);
                        break;
                    }

                    yield return item;
                }
            }
            finally
            {
                items?.Dispose();
                if (body is not null)
                {
                    await body.DisposeAsync();
                }
            }

            // Trailers are filled in once the chunked body has been read to its end.
            if (outcome.Failure is null
                && response.TrailingHeaders.TryGetValues(StreamErrorTrailer, out var values)
                && values.Where(v => !string.IsNullOrWhiteSpace(v)).ToList() is { Count: > 0 } errors)
            {
                outcome.Failure = Fail(Failure(ClusterFailureKind.StreamBroken, call, string.Join("; ", errors)), call);
                outcome.FromTrailer = true;
            }
        }
    }

    /// <summary>
    /// Sends through the Refit client up to response headers. Non-success statuses become failures (3xx included:
    /// redirects are not followed). Records the call's outcome (once per call: retries are inside).
    /// </summary>
    private async Task<(HttpResponseMessage? Response, ClusterFailure? Failure)> SendAsync(Call call, CallScope scope, long started)
    {
        HttpResponseMessage response;
        try
        {
            response = await call.Send(_api, scope.Token);
        }
        // Refit wraps what the handler chain threw (connect errors, the pipeline's rejections) in ApiRequestException.
        catch (Exception e) when (ClassifySendFailure(e is ApiRequestException { InnerException: { } inner } ? inner : e, call, scope) is { } failure)
        {
            Record(call, failure.Kind switch
            {
                ClusterFailureKind.Timeout => "timeout",
                ClusterFailureKind.CircuitOpen => "circuit_open",
                ClusterFailureKind.Cancelled => "cancelled",
                _ => "connect_error",
            }, started);
            return (null, failure);
        }
        // 404 "pin is not part of the pinset" is an answer, not a failure (docs/protocol/cluster-rest.md §5.12).
        Record(call, (int)response.StatusCode < 400 || response.StatusCode == HttpStatusCode.NotFound ? "success" : "http_error", started);
        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            return (null, await ReadErrorAsync(response, call, scope.Token));
        }
    }

    /// <summary><c>gateway_undercluster_requests_total</c> and its duration (to response headers); health probes have their own counter.</summary>
    private void Record(Call call, string outcome, long started)
    {
        if (call.Mode != ClusterCallMode.HealthProbe)
        {
            _metrics?.RecordUnderclusterRequest(Name, outcome, _time.GetElapsedTime(started));
        }
    }

    private async Task<ClusterFailure> ReadErrorAsync(HttpResponseMessage response, Call call, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var kind = status == HttpStatusCode.Unauthorized ? ClusterFailureKind.Unauthorized : ClusterFailureKind.HttpStatus;
        string detail;
        // Pooled: every pin/add of a new CID and every pin/rm of a CID not pinned here reads the 404 "not in the pinset".
        var buffer = ArrayPool<byte>.Shared.Rent(_settings.MaxErrorBodyBytes);
        try
        {
            using var timeoutCts = new CancellationTokenSource(_options.Timeout > TimeSpan.Zero ? _options.Timeout : Timeout.InfiniteTimeSpan, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            var body = buffer.AsMemory(0, await ReadPrefixAsync(response.Content, buffer.AsMemory(0, _settings.MaxErrorBodyBytes), linked.Token));
            detail = ClusterErrorMessage(body.Span) ?? Encoding.UTF8.GetString(body.Span).Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            detail = "(error body unreadable: " + e.Message + ")";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (detail.Length == 0)
        {
            detail = response.ReasonPhrase ?? status.ToString();
        }

        if ((int)status is >= 300 and < 400)
        {
            detail += $" (redirect to {response.Headers.Location}; redirects are not followed)";
        }

        return Failure(kind, call, detail) with { StatusCode = status };
    }

    /// <summary>Fills <paramref name="buffer"/> from the body, up to its end or the buffer's; returns the bytes read.</summary>
    private static async Task<int> ReadPrefixAsync(HttpContent content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer[filled..], cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    /// <summary>
    /// The <c>message</c> of the first JSON document of an error body (docs/protocol/cluster-rest.md §1.2). The first only:
    /// after an option parse error the server appends a second document (§1.2 caveat).
    /// </summary>
    private static string? ClusterErrorMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = true });
            return JsonSerializer.Deserialize(ref reader, ClusterJsonContext.Default.ClusterError)?.Message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ClusterFailure? ClassifySendFailure(Exception e, Call call, CallScope scope) => e switch
    {
        OperationCanceledException when scope.CallerCancelled => Failure(ClusterFailureKind.Cancelled, call, "cancelled by the caller"),
        OperationCanceledException when scope.HeldOpenByProbe => HeldOpen(call),
        IsolatedCircuitException => HeldOpen(call),
        BrokenCircuitException => Failure(ClusterFailureKind.CircuitOpen, call, e.Message),
        TimeoutRejectedException timeout => Failure(ClusterFailureKind.Timeout, call, "no response headers in time") with { TimeoutAfter = timeout.Timeout },
        HttpRequestException http => Failure(ClusterFailureKind.Connect, call, DescribeTransport(http)),
        // A socket error may surface bare, not wrapped in HttpRequestException (e.g. 107 ENOTCONN when the peer reset the connection as it was shut down).
        SocketException socket => Failure(ClusterFailureKind.Connect, call, DescribeSocket(socket)),
        OperationCanceledException => Failure(ClusterFailureKind.Timeout, call, e.Message),
        _ => null,
    };

    private ClusterFailure? ClassifyBodyFailure(Exception e, Call call, string typeName, CallScope scope) => e switch
    {
        OperationCanceledException when scope.CallerCancelled => Failure(ClusterFailureKind.Cancelled, call, "cancelled by the caller"),
        OperationCanceledException when scope.HeldOpenByProbe => HeldOpen(call),
        OperationCanceledException => Failure(ClusterFailureKind.Timeout, call, "body not received in time"),
        JsonException json => Failure(ClusterFailureKind.BadBody, call, json.Message) with { ExpectedType = typeName },
        IOException or HttpRequestException or SocketException when scope.HeldOpenByProbe => HeldOpen(call),
        IOException or HttpRequestException or SocketException => Failure(ClusterFailureKind.StreamBroken, call, "connection lost mid-body: " + (e.InnerException?.Message ?? e.Message)),
        _ => null,
    };

    /// <summary>The health probe holds the circuit open: the call was refused, or cancelled in flight, with the probe's reason.</summary>
    private ClusterFailure HeldOpen(Call call) =>
        Failure(ClusterFailureKind.CircuitOpen, call, ClusterFailureMessages.HeldOpenByProbeBecause(_resilience.IsolationReason));

    internal static string DescribeSocket(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.NotConnected or SocketError.Shutdown or SocketError.ConnectionAborted => "connection lost",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host name not resolved",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        _ => socket.Message,
    };

    private static string DescribeTransport(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return DescribeSocket(socket);
            }
        }

        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host name not resolved",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.SecureConnectionError => "TLS handshake failed: " + e.Message,
            HttpRequestError.InvalidResponse => "invalid HTTP response: " + e.Message,
            _ => e.Message,
        };
    }

    private ClusterFailure Failure(ClusterFailureKind kind, Call call, string detail) => new(kind, Name, _options.Url, call.Operation, detail);

    private ClusterFailure Invalid(string operation, string detail) => new(ClusterFailureKind.InvalidRequest, Name, _options.Url, operation, detail);

    private ClusterFailure ConsumerStopped(string operation) =>
        new(ClusterFailureKind.Cancelled, Name, _options.Url, operation, "the consumer stopped reading before the end of the stream");

    private ClusterFailure Fail(ClusterFailure failure, Call call)
    {
        if (call.Mode == ClusterCallMode.HealthProbe)
        {
            // The health monitor reports probe failures itself, once per state change.
            return failure;
        }

        if (failure.Kind == ClusterFailureKind.Cancelled)
        {
            ClusterLog.CallCancelled(_logger, Name, failure.Operation);
        }
        else
        {
            ClusterLog.CallFailed(_logger, Name, failure.Operation, failure.Kind, failure.Detail);
        }

        return failure;
    }

    /// <summary>
    /// Splits CIDs into comma lists so that each request target stays under the configured length.
    /// CIDs need no escaping (URL-safe multibase alphabets, checked above) and the commas are left
    /// as they are: escaping them would cost three bytes each for nothing.
    /// </summary>
    private List<string> SplitIntoBatches(IReadOnlyList<string> cids, int fixedLength) =>
        [.. CidBatch.Split(cids, int.MaxValue, _settings.MaxRequestTargetLength - fixedLength).Select(batch => string.Join(',', batch))];

    /// <summary>One REST call: what it is called in failures and logs, and how to send it through the Refit client.</summary>
    private sealed record Call(string Method, string Path, Func<IClusterRestApi, CancellationToken, Task<HttpResponseMessage>> Send)
    {
        /// <summary>Replaces the undercluster's timeout; <see cref="Timeout.InfiniteTimeSpan"/> = the caller's token only.</summary>
        public TimeSpan? Budget { get; init; }

        public ClusterCallMode Mode { get; init; }

        /// <summary>A request body the call owns (disposed once sent).</summary>
        public HttpContent? Owned { get; init; }

        public string Operation => $"{Method} {Path}";
    }

    /// <summary>
    /// A call's token: the caller's, linked (except for health probes) with the undercluster's in-flight token, which
    /// the probe cancels when it declares the undercluster down; and which of the two ended the call.
    /// </summary>
    private sealed class CallScope : IDisposable
    {
        private readonly CancellationToken _caller;
        private readonly CancellationToken _inFlight;
        private CancellationTokenSource? _linked;
        private ITimer? _deadline;

        public CallScope(ClusterClient client, Call call, CancellationToken caller)
        {
            _caller = caller;
            if (call.Mode != ClusterCallMode.HealthProbe)
            {
                _inFlight = client._resilience.InFlightToken;
                _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _inFlight);
            }
        }

        public CancellationToken Token => _linked?.Token ?? _caller;

        public bool CallerCancelled => _caller.IsCancellationRequested;

        public bool HeldOpenByProbe => _inFlight.IsCancellationRequested;

        /// <summary>
        /// <see cref="Token"/>, cancelled also <paramref name="left"/> from now on <paramref name="time"/>'s clock (what is
        /// left of a single document's budget for its body). The call's own source gets the timer: no second source
        /// linked to it for every call.
        /// </summary>
        public CancellationToken EndAfter(TimeSpan left, TimeProvider time)
        {
            if (left == Timeout.InfiniteTimeSpan)
            {
                return Token;
            }

            var source = _linked ??= CancellationTokenSource.CreateLinkedTokenSource(_caller);
            _deadline = time.CreateTimer(static state => Expire((CancellationTokenSource)state!), source, left, Timeout.InfiniteTimeSpan);
            return source.Token;
        }

        public void Dispose()
        {
            _deadline?.Dispose();
            _linked?.Dispose();
        }

        private static void Expire(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call ended as the deadline fired.
            }
        }
    }
}
