using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CompositeGateway.Clusters;

/// <summary>
/// Typed client of one undercluster's REST API (docs/protocol/cluster-rest.md). Every method
/// returns a <see cref="ClusterResult{T}"/> or a <see cref="ClusterStream{T}"/>: upstream
/// failures are values, never exceptions (docs/development/style.md §6). Thread-safe; one per undercluster.
/// </summary>
internal sealed class ClusterClient
{
    /// <summary>The only 404 that means "absent" rather than "wrong URL" (docs/protocol/cluster-rest.md §1.2, state's not-found error).</summary>
    internal const string NotInPinsetMessage = "pin is not part of the pinset";

    private const string StreamErrorTrailer = "X-Stream-Error";

    private readonly UnderclusterOptions _options;
    private readonly HttpClient _http;
    private readonly ClusterResilience _resilience;
    private readonly ClusterClientSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _base;
    private readonly AuthenticationHeaderValue? _auth;

    /// <remarks>
    /// <paramref name="http"/> must have this undercluster's <see cref="ClusterResilienceHandler"/>
    /// in its chain (see <c>AddClusterClients</c> in the undercluster module); it is held for the client's lifetime.
    /// </remarks>
    public ClusterClient(UnderclusterOptions options, HttpClient http, ClusterResilience resilience, ClusterClientSettings settings, TimeProvider time, ILogger<ClusterClient> logger)
    {
        _options = options;
        _http = http;
        _resilience = resilience;
        _settings = settings;
        _time = time;
        _logger = logger;
        _base = options.Url.GetLeftPart(UriPartial.Authority) + options.Url.AbsolutePath.TrimEnd('/');
        if (options.Auth is { } auth)
        {
            // docs/protocol/cluster-rest.md §1.1: Basic with both parts non-empty. Bearer tokens (POST /token) would save nothing here.
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth.Username + ":" + auth.Password)));
        }
    }

    public string Name => _options.Name;

    public Uri Url => _options.Url;

    /// <summary>The undercluster's configuration (timeout, placement weight, replication), for the composition layer.</summary>
    public UnderclusterOptions Options => _options;

    /// <summary>The circuit breaker's state for this undercluster (metrics, <c>/ready</c>).</summary>
    public Polly.CircuitBreaker.CircuitState CircuitState => _resilience.CircuitState;

    /// <summary>Raised on every breaker transition.</summary>
    public event EventHandler<Polly.CircuitBreaker.CircuitState>? CircuitStateChanged
    {
        add => _resilience.CircuitStateChanged += value;
        remove => _resilience.CircuitStateChanged -= value;
    }

    /// <summary>Whether calls fail fast because the health probe sees this undercluster down (<see cref="IsolateAsync"/>).</summary>
    public bool IsIsolated => _resilience.IsIsolated;

    /// <summary>The health probe saw this undercluster down: hold the circuit open (see <see cref="ClusterResilience.IsolateAsync"/>).</summary>
    public Task IsolateAsync(string reason, CancellationToken cancellationToken) => _resilience.IsolateAsync(reason, cancellationToken);

    /// <summary>The health probe saw this undercluster answer again: let calls flow (see <see cref="ClusterResilience.CloseAsync"/>).</summary>
    public Task CloseCircuitAsync(CancellationToken cancellationToken) => _resilience.CloseAsync(cancellationToken);

    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1).</summary>
    public Task<ClusterResult<ClusterPeer>> GetIdAsync(CancellationToken cancellationToken) =>
        GetIdAsync(ClusterCallMode.Normal, cancellationToken);

    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1); <see cref="ClusterCallMode.HealthProbe"/> for the health monitor.</summary>
    public async Task<ClusterResult<ClusterPeer>> GetIdAsync(ClusterCallMode mode, CancellationToken cancellationToken)
    {
        var result = await CallCoreAsync(new Call(HttpMethod.Get, "/id", null) { Mode = mode }, ClusterJsonContext.Default.ClusterPeer, absentIsNull: false, whenNull: null, cancellationToken);
        return result.IsSuccess ? result.Value! : result.Failure;
    }

    /// <summary><c>GET /version</c> (docs/protocol/cluster-rest.md §5.2).</summary>
    public Task<ClusterResult<ClusterVersion>> GetVersionAsync(CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, "/version", null, ClusterJsonContext.Default.ClusterVersion, cancellationToken);

    /// <summary><c>GET /health</c> (docs/protocol/cluster-rest.md §5.16): 204, no auth, no checks.</summary>
    public async Task<ClusterResult<NoContent>> GetHealthAsync(CancellationToken cancellationToken)
    {
        var call = new Call(HttpMethod.Get, "/health", null);
        using var request = NewRequest(call);
        var (response, failure) = await SendAsync(request, call, cancellationToken);
        response?.Dispose();
        return failure is null ? new NoContent() : Fail(failure, call);
    }

    /// <summary><c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3): one item per cluster peer; unreachable ones carry <c>error</c>.</summary>
    public ClusterStream<ClusterPeer> StreamPeersAsync(CancellationToken cancellationToken) =>
        StreamPeersAsync(ClusterCallMode.Normal, cancellationToken);

    /// <summary><c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3); <see cref="ClusterCallMode.HealthProbe"/> for the health monitor's topology check.</summary>
    public ClusterStream<ClusterPeer> StreamPeersAsync(ClusterCallMode mode, CancellationToken cancellationToken) =>
        Stream(new Call(HttpMethod.Get, "/peers", null) { Mode = mode }, ClusterJsonContext.Default.ClusterPeer, cancellationToken);

    /// <summary>
    /// <c>POST /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.4): returns when the pin is in the shared state, not when pinned.
    /// Never retried. Options are validated first; invalid ones fail with <see cref="ClusterFailureKind.InvalidRequest"/>.
    /// </summary>
    public Task<ClusterResult<ClusterPin>> PinAsync(Cid cid, PinRequest? options, CancellationToken cancellationToken)
    {
        var path = "/pins/" + cid;
        options ??= new PinRequest();
        var problems = options.Validate(_time.GetUtcNow());
        return problems.Count > 0
            ? Task.FromResult<ClusterResult<ClusterPin>>(Invalid("POST " + path, string.Join("; ", problems)))
            : CallAsync(HttpMethod.Post, path, options.ToQueryString(), ClusterJsonContext.Default.ClusterPin, cancellationToken);
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
        return problems.Count > 0
            ? Task.FromResult<ClusterResult<ClusterPin>>(Invalid("POST /pins" + pinPath, string.Join("; ", problems)))
            : CallAsync(HttpMethod.Post, "/pins" + pinPath, options.ToQueryString(), ClusterJsonContext.Default.ClusterPin, cancellationToken);
    }

    /// <summary>
    /// <c>DELETE /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.6): the pin as it was, or <c>null</c> when the CID was not in
    /// the pinset (404 <c>pin is not part of the pinset</c>). Never retried.
    /// </summary>
    public Task<ClusterResult<ClusterPin?>> UnpinAsync(Cid cid, CancellationToken cancellationToken) =>
        CallOrAbsentAsync(HttpMethod.Delete, "/pins/" + cid, ClusterJsonContext.Default.ClusterPin, cancellationToken);

    /// <summary><c>DELETE /pins/{ipfs|ipns|ipld}/{path}</c>; <c>null</c> when the resolved CID was not in the pinset.</summary>
    public Task<ClusterResult<ClusterPin?>> UnpinPathAsync(string path, CancellationToken cancellationToken) =>
        ClusterSyntax.ToPinPath(path) is { } pinPath
            ? CallOrAbsentAsync(HttpMethod.Delete, "/pins" + pinPath, ClusterJsonContext.Default.ClusterPin, cancellationToken)
            : Task.FromResult<ClusterResult<ClusterPin?>>(Invalid("DELETE /pins/…", $"\"{path}\" is not an /ipfs/, /ipns/ or /ipld/ path"));

    /// <summary><c>GET /allocations/{cid}</c> (docs/protocol/cluster-rest.md §5.12): the pinset entry, or <c>null</c> when the CID is not in the pinset.</summary>
    public Task<ClusterResult<ClusterPin?>> GetAllocationAsync(Cid cid, CancellationToken cancellationToken) =>
        CallOrAbsentAsync(HttpMethod.Get, "/allocations/" + cid, ClusterJsonContext.Default.ClusterPin, cancellationToken);

    /// <summary><c>GET /allocations</c> (docs/protocol/cluster-rest.md §5.11): the authoritative pinset. <paramref name="filter"/> is a PinType list (§3.2); null = all.</summary>
    public ClusterStream<ClusterPin> StreamAllocationsAsync(string? filter, CancellationToken cancellationToken) =>
        Stream(new Call(HttpMethod.Get, "/allocations", string.IsNullOrEmpty(filter) ? null : "filter=" + Uri.EscapeDataString(filter)), ClusterJsonContext.Default.ClusterPin, cancellationToken);

    /// <summary><c>GET /pins/{cid}?local=</c> (docs/protocol/cluster-rest.md §5.9). A CID not in the pinset still answers, with every peer <c>unpinned</c>.</summary>
    public Task<ClusterResult<GlobalPinInfo>> GetStatusAsync(Cid cid, bool local, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, "/pins/" + cid, LocalQuery(local), ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);

    /// <summary>
    /// <c>GET /pins</c> (docs/protocol/cluster-rest.md §5.8). With <paramref name="cids"/> null: every pin (matching
    /// <paramref name="filter"/>, a TrackerStatus list). With <paramref name="cids"/>: only those
    /// (the cluster then ignores the filter), in completion order, split into as many requests as
    /// keep each URL under <see cref="ClusterClientSettings.MaxRequestTargetLength"/>; an empty list
    /// sends nothing. Per-CID failures (the <c>X-Stream-Error</c> trailer) do not stop later
    /// batches; they end the stream as <see cref="ClusterFailureKind.StreamBroken"/> listing them all.
    /// </summary>
    public ClusterStream<GlobalPinInfo> StreamStatusAsync(string? filter, IEnumerable<string>? cids, bool local, CancellationToken cancellationToken)
    {
        var query = LocalQuery(local) + (string.IsNullOrEmpty(filter) ? "" : "&filter=" + Uri.EscapeDataString(filter));
        if (cids is null)
        {
            return Stream(new Call(HttpMethod.Get, "/pins", query), ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);
        }

        var list = cids as IReadOnlyList<string> ?? [.. cids];
        if (list.FirstOrDefault(c => !ClusterSyntax.IsCid(c)) is { } bad)
        {
            return Failed<GlobalPinInfo>(Invalid("GET /pins", $"\"{bad}\" is not a CID"), cancellationToken);
        }

        var batches = SplitIntoBatches(list, _base.Length + "/pins?".Length + query.Length + "&cids=".Length);
        if (batches.Count > 1)
        {
            ClusterLog.StatusBatched(_logger, Name, list.Count, batches.Count);
        }

        var calls = batches.Select(batch => new Call(HttpMethod.Get, "/pins", query + "&cids=" + batch)).ToList();
        return new ClusterStream<GlobalPinInfo>(
            (outcome, token) => StreamBatchesAsync(calls, ClusterJsonContext.Default.GlobalPinInfo, outcome, token),
            () => ConsumerStopped("GET /pins"),
            cancellationToken);
    }

    /// <summary><c>POST /pins/{cid}/recover</c> (docs/protocol/cluster-rest.md §5.10). Not retried.</summary>
    public Task<ClusterResult<GlobalPinInfo>> RecoverAsync(Cid cid, bool local, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Post, "/pins/" + cid + "/recover", LocalQuery(local), ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);

    /// <summary><c>POST /pins/recover</c> (docs/protocol/cluster-rest.md §5.10): the re-queued items.</summary>
    public ClusterStream<GlobalPinInfo> StreamRecoverAllAsync(bool local, CancellationToken cancellationToken) =>
        Stream(new Call(HttpMethod.Post, "/pins/recover", LocalQuery(local)), ClusterJsonContext.Default.GlobalPinInfo, cancellationToken);

    /// <summary><c>GET /monitor/metrics</c> (docs/protocol/cluster-rest.md §5.15): metric names known to the contacted peer.</summary>
    public Task<ClusterResult<IReadOnlyList<string>>> GetMetricNamesAsync(CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, "/monitor/metrics", null, ClusterJsonContext.Default.IReadOnlyListString, cancellationToken, whenNull: []);

    /// <summary><c>GET /monitor/metrics/{name}</c> (docs/protocol/cluster-rest.md §5.15): latest valid metric per peer; empty when none (null or []).</summary>
    public Task<ClusterResult<IReadOnlyList<ClusterMetric>>> GetMetricsAsync(string name, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(name)
            ? Task.FromResult<ClusterResult<IReadOnlyList<ClusterMetric>>>(Invalid("GET /monitor/metrics/…", "empty metric name"))
            : CallAsync(HttpMethod.Get, "/monitor/metrics/" + Uri.EscapeDataString(name), null, ClusterJsonContext.Default.IReadOnlyListClusterMetric, cancellationToken, whenNull: []);

    /// <summary>
    /// <c>POST /ipfs/gc</c> (docs/protocol/cluster-rest.md §5.14). The answer comes only after every GC run finished (hours, possibly),
    /// so the undercluster timeout does not apply: only the caller's token bounds it.
    /// </summary>
    public Task<ClusterResult<GlobalRepoGc>> RepoGcAsync(bool local, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Post, "/ipfs/gc", LocalQuery(local), ClusterJsonContext.Default.GlobalRepoGc, cancellationToken, timeout: Timeout.InfiniteTimeSpan);

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

        var call = new Call(HttpMethod.Post, "/add", request.ToQueryString()) { Content = multipart, Timeout = Timeout.InfiniteTimeSpan };
        if (problems.Count > 0)
        {
            multipart.Dispose();
            return Failed<AddedOutput>(Invalid(call.Operation, string.Join("; ", problems)), cancellationToken);
        }

        return Stream(call, ClusterJsonContext.Default.AddedOutput, cancellationToken);
    }

    private static string LocalQuery(bool local) => local ? "local=true" : "local=false";

    private async Task<ClusterResult<T>> CallAsync<T>(
        HttpMethod method,
        string path,
        string? query,
        JsonTypeInfo<T> type,
        CancellationToken cancellationToken,
        T? whenNull = null,
        TimeSpan? timeout = null)
        where T : class
    {
        var result = await CallCoreAsync(new Call(method, path, query) { Timeout = timeout }, type, absentIsNull: false, whenNull, cancellationToken);
        return result.IsSuccess ? result.Value! : result.Failure;
    }

    /// <summary>A call whose 404 <c>pin is not part of the pinset</c> is the answer "absent" (null), not a failure.</summary>
    private Task<ClusterResult<T?>> CallOrAbsentAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        CallCoreAsync(new Call(method, path, null), type, absentIsNull: true, whenNull: null, cancellationToken);

    private async Task<ClusterResult<T?>> CallCoreAsync<T>(Call call, JsonTypeInfo<T> type, bool absentIsNull, T? whenNull, CancellationToken cancellationToken)
        where T : class
    {
        using var request = NewRequest(call);
        var (response, failure) = await SendAsync(request, call, cancellationToken);
        if (failure is not null)
        {
            return absentIsNull && failure.StatusCode == HttpStatusCode.NotFound && failure.Detail == NotInPinsetMessage
                ? ClusterResult<T?>.Success(null)
                : Fail(failure, call);
        }

        using (response)
        {
            // The attempt timeout only covered the headers; a single document's body gets the same allowance again.
            var bodyTimeout = call.Timeout ?? _options.Timeout;
            using var timeoutCts = new CancellationTokenSource(bodyTimeout > TimeSpan.Zero ? bodyTimeout : Timeout.InfiniteTimeSpan, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            try
            {
                await using var body = await response!.Content.ReadAsStreamAsync(linked.Token);
                var value = await JsonSerializer.DeserializeAsync(body, type, linked.Token) ?? whenNull;
                return value is not null
                    ? value
                    : Fail(Failure(ClusterFailureKind.BadBody, call, "null instead of a document") with { ExpectedType = type.Type.Name }, call);
            }
            catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, cancellationToken) is { } bodyFailure)
            {
                return Fail(bodyFailure with { TimeoutAfter = bodyFailure.Kind == ClusterFailureKind.Timeout ? bodyTimeout : null }, call);
            }
        }
    }

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
        using var request = NewRequest(call);
        var (response, failure) = await SendAsync(request, call, cancellationToken);
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
            IAsyncEnumerator<T?>? items = null;
            try
            {
                try
                {
                    body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    items = JsonSerializer.DeserializeAsyncEnumerable(body, type, topLevelValues: true, cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
                catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, cancellationToken) is { } bodyFailure)
                {
                    outcome.Failure = Fail(bodyFailure, call);
                }

                while (items is not null)
                {
                    T? item = default;
                    var more = false;
                    try
                    {
                        more = await items.MoveNextAsync();
                        item = more ? items.Current : default;
                    }
                    catch (Exception e) when (ClassifyBodyFailure(e, call, type.Type.Name, cancellationToken) is { } bodyFailure)
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
                if (items is not null)
                {
                    await items.DisposeAsync();
                }

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

    private HttpRequestMessage NewRequest(Call call)
    {
        var request = new HttpRequestMessage(call.Method, new Uri(_base + call.Path + (call.Query is null ? "" : "?" + call.Query)))
        {
            // ipfs-cluster's REST server speaks HTTP/1.1 (trailers ride on chunked encoding, docs/protocol/cluster-rest.md §1.3).
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = call.Content,
        };
        request.Headers.Authorization = _auth;
        if (call.Timeout is { } timeout)
        {
            request.Options.Set(ClusterResilience.AttemptTimeoutOption, timeout);
        }

        if (call.Mode == ClusterCallMode.HealthProbe)
        {
            request.Options.Set(ClusterResilience.HealthProbeOption, true);
        }

        return request;
    }

    /// <summary>Sends up to response headers. Non-success statuses become failures (3xx included: redirects are not followed).</summary>
    private async Task<(HttpResponseMessage? Response, ClusterFailure? Failure)> SendAsync(HttpRequestMessage request, Call call, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (ClassifySendFailure(e, call, cancellationToken) is { } failure)
        {
            return (null, failure);
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            return (null, await ReadErrorAsync(response, call, cancellationToken));
        }
    }

    private async Task<ClusterFailure> ReadErrorAsync(HttpResponseMessage response, Call call, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var kind = status == HttpStatusCode.Unauthorized ? ClusterFailureKind.Unauthorized : ClusterFailureKind.HttpStatus;
        string detail;
        try
        {
            using var timeoutCts = new CancellationTokenSource(_options.Timeout > TimeSpan.Zero ? _options.Timeout : Timeout.InfiniteTimeSpan, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            var bytes = await ReadPrefixAsync(response.Content, _settings.MaxErrorBodyBytes, linked.Token);
            detail = ClusterErrorMessage(bytes) ?? Encoding.UTF8.GetString(bytes).Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            detail = "(error body unreadable: " + e.Message + ")";
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

    private static async Task<byte[]> ReadPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var filled = 0;
        int read;
        while (filled < limit && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return buffer[..filled];
    }

    /// <summary>
    /// The <c>message</c> of the first JSON document of an error body (docs/protocol/cluster-rest.md §1.2). The first only:
    /// after an option parse error the server appends a second document (§1.2 caveat).
    /// </summary>
    private static string? ClusterErrorMessage(byte[] body)
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

    private ClusterFailure? ClassifySendFailure(Exception e, Call call, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => Failure(ClusterFailureKind.Cancelled, call, "cancelled by the caller"),
        IsolatedCircuitException => Failure(ClusterFailureKind.CircuitOpen, call, ClusterFailureMessages.HeldOpenByProbe),
        BrokenCircuitException => Failure(ClusterFailureKind.CircuitOpen, call, e.Message),
        TimeoutRejectedException timeout => Failure(ClusterFailureKind.Timeout, call, "no response headers in time") with { TimeoutAfter = timeout.Timeout },
        HttpRequestException http => Failure(ClusterFailureKind.Connect, call, DescribeTransport(http)),
        OperationCanceledException => Failure(ClusterFailureKind.Timeout, call, e.Message),
        _ => null,
    };

    private ClusterFailure? ClassifyBodyFailure(Exception e, Call call, string typeName, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => Failure(ClusterFailureKind.Cancelled, call, "cancelled by the caller"),
        OperationCanceledException => Failure(ClusterFailureKind.Timeout, call, "body not received in time"),
        JsonException json => Failure(ClusterFailureKind.BadBody, call, json.Message) with { ExpectedType = typeName },
        IOException or HttpRequestException => Failure(ClusterFailureKind.StreamBroken, call, "connection lost mid-body: " + (e.InnerException?.Message ?? e.Message)),
        _ => null,
    };

    private static string DescribeTransport(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host name not resolved",
                    SocketError.TimedOut => "connect timed out",
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                    _ => socket.Message,
                };
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

    private sealed record Call(HttpMethod Method, string Path, string? Query)
    {
        public HttpContent? Content { get; init; }

        public TimeSpan? Timeout { get; init; }

        public ClusterCallMode Mode { get; init; }

        public string Operation => $"{Method} {Path}";
    }
}
