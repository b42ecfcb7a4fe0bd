
namespace CompositeGateway.Lab;

/// <summary>
/// The REST API of one emulated cluster, in the order ipfs-cluster's handler chain applies things
/// (api/common/api.go): faults (lab only), authentication, trailing-slash redirect, then the route
/// table of <c>restapi.go</c>. <c>/_lab/…</c> is the lab's control surface and bypasses all of it.
/// </summary>
internal sealed class LabApi
{
    private readonly LabCluster _cluster;
    private readonly LabControl _control;
    private readonly LabRouter _router;

    public LabApi(LabCluster cluster, LabControl control)
    {
        _cluster = cluster;
        _control = control;
        _router = Routes(cluster);
    }

    public async Task HandleAsync(HttpContext context, CancellationToken stopping)
    {
        try
        {
            var path = context.Request.Path.Value is { Length: > 0 } p ? p : "/";
            if (path == "/_lab" || path.StartsWith("/_lab/", StringComparison.Ordinal))
            {
                await _control.HandleAsync(context, path);
                return;
            }

            // Per request, not per connection: the control endpoint above is never faulted, so the fault can be cleared.
            if (_cluster.Faults.Current.ResetConnections == true)
            {
                context.Abort();
                return;
            }

            if (await LabRequestFaults.ApplyAsync(context, _cluster.Faults.Current, _cluster.Time, stopping))
            {
                return;
            }

            if (LabAuth.Check(context, _cluster.Options.BasicAuth, _cluster.Time.GetUtcNow(), _cluster.Tokens, _cluster.Options.RequireBearer) is { } denied)
            {
                await LabHttp.WriteErrorAsync(context, 401, denied);
                return;
            }

            if (path.EndsWith('/'))
            {
                await RedirectWithoutSlashAsync(context, path);
                return;
            }

            _cluster.Sweep();
            var (handler, values, methodMismatch) = _router.Match(context.Request.Method, path);
            if (handler is not null)
            {
                await handler(context, values);
            }
            else if (methodMismatch)
            {
                // gorilla/mux's default: 405 with an empty body (docs/protocol/cluster-rest.md §8, unconfirmed).
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            }
            else
            {
                await LabHttp.WriteErrorAsync(context, 404, "not found");
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    /// <summary>strictSlashHandler: 307 to the same URL without the final slash (Go's http.Redirect).</summary>
    private static async Task RedirectWithoutSlashAsync(HttpContext context, string path)
    {
        var target = path[..^1];
        if (target.Length == 0)
        {
            target = "/";
        }

        var location = target + context.Request.QueryString.Value;
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = location;
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            if (HttpMethods.IsGet(context.Request.Method))
            {
                await context.Response.WriteAsync($"<a href=\"{System.Net.WebUtility.HtmlEncode(location)}\">Temporary Redirect</a>.\n\n", context.RequestAborted);
            }
        }
    }

    /// <summary>ipfs-cluster v1.1.6 <c>api/rest/restapi.go</c> routes, same order.</summary>
    private static LabRouter Routes(LabCluster c) => new LabRouter()
        .Add("GET", "/id", (x, v) => PeerEndpoints.IdAsync(c, x, v))
        .Add("GET", "/version", (x, v) => PeerEndpoints.VersionAsync(c, x, v))
        .Add("GET", "/peers", (x, v) => PeerEndpoints.PeersAsync(c, x, v))
        .Add("POST", "/peers", (x, v) => PeerEndpoints.PeerChangeAsync(c, x, v))
        .Add("DELETE", "/peers/{peer}", (x, v) => PeerEndpoints.PeerChangeAsync(c, x, v))
        .Add("POST", "/add", (x, v) => AddEndpoint.AddAsync(c, x, v))
        .Add("GET", "/allocations", (x, v) => PinEndpoints.AllocationsAsync(c, x, v))
        .Add("GET", "/allocations/{hash}", (x, v) => PinEndpoints.AllocationAsync(c, x, v))
        .Add("GET", "/pins", (x, v) => StatusEndpoints.StatusAllAsync(c, x, v))
        .Add("POST", "/pins/{hash}/recover", (x, v) => StatusEndpoints.RecoverAsync(c, x, v))
        .Add("POST", "/pins/recover", (x, v) => StatusEndpoints.RecoverAllAsync(c, x, v))
        .Add("GET", "/pins/{hash}", (x, v) => StatusEndpoints.StatusAsync(c, x, v))
        .Add("POST", "/pins/{hash}", (x, v) => PinEndpoints.PinAsync(c, x, v))
        .Add("POST", "/pins/{keyType:ipfs|ipns|ipld}/{path:.*}", (x, v) => PinEndpoints.PinPathAsync(c, x, v))
        .Add("DELETE", "/pins/{hash}", (x, v) => PinEndpoints.UnpinAsync(c, x, v))
        .Add("DELETE", "/pins/{keyType:ipfs|ipns|ipld}/{path:.*}", (x, v) => PinEndpoints.UnpinPathAsync(c, x, v))
        .Add("POST", "/ipfs/gc", (x, v) => MetricsEndpoints.RepoGcAsync(c, x, v))
        .Add("GET", "/health/graph", (x, v) => PeerEndpoints.GraphAsync(c, x, v))
        .Add("GET", "/health/alerts", (x, v) => PeerEndpoints.AlertsAsync(c, x, v))
        .Add("GET", "/health/bandwidth", (x, v) => PeerEndpoints.BandwidthAsync(c, x, v))
        .Add("GET", "/monitor/metrics/{name}", (x, v) => MetricsEndpoints.MetricsAsync(c, x, v))
        .Add("GET", "/monitor/metrics", (x, v) => MetricsEndpoints.MetricNamesAsync(c, x, v))
        .Add("POST", "/token", (x, v) => PeerEndpoints.TokenAsync(c, x, v))
        .Add("GET", "/health", (x, v) => PeerEndpoints.HealthAsync(c, x, v));
}
