using CompositeGateway.Configuration;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Kubo's browser protections and CORS for every request on the Kubo RPC listener, answered or forwarded, before any
/// undercluster call. The rules are Kubo's (<c>core/corehttp/commands.go</c>, go-ipfs-cmds <c>http/handler.go</c>,
/// <c>http/config.go</c>, rs/cors; sharness <c>t0401-api-browser-security</c>):
/// <list type="bullet">
/// <item>allowed origins: <c>http_headers</c>' <c>Access-Control-Allow-Origin</c> (<c>*</c> = any), plus the listener
/// itself as <c>http(s)://127.0.0.1|[::1]|localhost:&lt;port&gt;</c> and the address the caller connected to (never the
/// <c>Host</c> header: that would let a DNS-rebinding page name itself), plus the ipfs-companion extensions;</item>
/// <item>a preflight (<c>OPTIONS</c> with <c>Origin</c> and <c>Access-Control-Request-Method</c>) is answered 204 here,
/// with CORS headers only when origin, method (<c>Access-Control-Allow-Methods</c>, default POST) and requested headers
/// are allowed;</item>
/// <item>a POST whose <c>Origin</c> is not allowed, whose <c>Referer</c> is not from an allowed origin, or that has neither
/// while its <c>User-Agent</c> starts with <c>Mozilla</c> (and is not Electron) is refused 403 — Kubo's "possible CSRF".
/// Other methods pass on to the 405 of <see cref="KuboRpcEndpoints"/>, as Kubo checks the method first.</item>
/// </list>
/// Unlike Kubo (plain <c>403 - Forbidden</c>) the refusal is Kubo's JSON error with the reason. The other
/// <c>http_headers</c> are set on every answer, errors and preflights included, replacing a forwarded daemon's own.
/// </summary>
internal sealed class BrowserPolicy
{
    // Kubo's commandsOption: AddAllowedHeaders("Origin", "Accept", "Content-Type", "X-Requested-With").
    private static readonly string[] DefaultAllowedRequestHeaders = ["origin", "accept", "content-type", "x-requested-with"];

    // go-ipfs-cmds responseemitter.go AllowedExposedHeaders: what a browser client must read to parse a stream.
    private const string ExposedHeaders = "X-Stream-Output, X-Chunked-Output, X-Content-Length";

    private static readonly string[] CompanionOrigins =
    [
        "chrome-extension://nibjojkomfdiaoajekhjakgkdhaomnch",
        "chrome-extension://hjoieblefckbooibpepigmacodalfndh",
    ];

    private const int MaxEchoLength = 200;

    private readonly HashSet<string> _configuredOrigins;
    private readonly bool _anyOrigin;
    private readonly string[] _allowedMethods;
    private readonly HashSet<string> _allowedRequestHeaders;
    private readonly bool _allowCredentials;
    private readonly KeyValuePair<string, StringValues>[] _plainHeaders;

    public BrowserPolicy(KuboRpcOptions options)
    {
        var headers = options.HttpHeaders;
        var origins = headers.GetValueOrDefault(KuboHttpHeaders.AllowOrigin) ?? [];
        _anyOrigin = origins.Contains("*");
        _configuredOrigins = new HashSet<string>(origins.Concat(CompanionOrigins), StringComparer.Ordinal);
        _allowedMethods = [.. (headers.GetValueOrDefault(KuboHttpHeaders.AllowMethods) ?? [HttpMethods.Post]).Select(m => m.ToUpperInvariant())];
        _allowCredentials = headers.GetValueOrDefault(KuboHttpHeaders.AllowCredentials)?.Any(v => v == "true") == true;
        _allowedRequestHeaders = new HashSet<string>(
            DefaultAllowedRequestHeaders.Concat((headers.GetValueOrDefault("Access-Control-Allow-Headers") ?? [])
                .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))),
            StringComparer.OrdinalIgnoreCase);
        _plainHeaders = [.. headers.Where(h => !KuboHttpHeaders.IsCors(h.Key)).Select(h => KeyValuePair.Create(h.Key, new StringValues([.. h.Value])))];
    }

    /// <summary>Not <c>async</c>: a request that passes (nearly all) returns the next step's task without a state machine of its own.</summary>
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        var origin = request.Headers.Origin.ToString();
        var allowedOrigin = origin.Length > 0 && IsAllowedOrigin(http, origin);
        var response = http.Response;
        response.OnStarting(() =>
        {
            WriteHeaders(response, origin, allowedOrigin && IsAllowedMethod(request.Method));
            return Task.CompletedTask;
        });

        if (HttpMethods.IsOptions(request.Method) && origin.Length > 0 && request.Headers.AccessControlRequestMethod.Count > 0)
        {
            AnswerPreflight(http, origin, allowedOrigin);
            return Task.CompletedTask;
        }

        if (HttpMethods.IsPost(request.Method) && Refusal(http, origin, allowedOrigin) is { } refusal)
        {
            KuboRpcLog.BrowserRequestRefused(Log(http), request.Path, refusal);
            return KuboErrorWriter.WriteAsync(http, KuboFailure.Forbidden(refusal));
        }

        return next(http);
    }

    /// <summary>Why go-ipfs-cmds' <c>allowOrigin</c>, <c>allowReferer</c> or <c>allowUserAgent</c> would refuse this POST; null when none does.</summary>
    internal string? Refusal(HttpContext http, string origin, bool allowedOrigin)
    {
        if (origin.Length > 0 && !allowedOrigin)
        {
            return $"Origin \"{Echo(origin)}\" is not allowed to call this API (list it in kubo_rpc.http_headers Access-Control-Allow-Origin); possible CSRF";
        }

        var referer = http.Request.Headers.Referer.ToString();
        if (referer.Length > 0)
        {
            if (!Uri.TryCreate(referer, UriKind.Absolute, out var uri) || !IsAllowedOrigin(http, $"{uri.Scheme}://{uri.Authority}"))
            {
                return $"Referer \"{Echo(referer)}\" is not from an origin allowed to call this API (kubo_rpc.http_headers Access-Control-Allow-Origin); possible CSRF";
            }
        }
        else if (origin.Length == 0)
        {
            // A browser always sends Origin or Referer with a POST, except in old Firefox bugs; a Mozilla agent
            // without either is treated as a page, as Kubo does. Electron's renderer sends neither and is allowed.
            var agent = http.Request.Headers.UserAgent.ToString();
            if (agent.StartsWith("Mozilla", StringComparison.Ordinal) && !agent.Contains("Electron", StringComparison.Ordinal))
            {
                return $"a browser request (User-Agent \"{Echo(agent)}\") without Origin or Referer is refused; possible CSRF";
            }
        }

        return null;
    }

    private bool IsAllowedOrigin(HttpContext http, string origin)
    {
        if (_anyOrigin || _configuredOrigins.Contains(origin))
        {
            return true;
        }

        // Same origin as the listener, by the port the connection came in on (Kubo: the listener's port in its
        // defaultLocalhostOrigins) and the address the caller dialled. Unix sockets have neither.
        var port = http.Connection.LocalPort;
        if (port == 0)
        {
            return false;
        }

        var at = origin.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || origin[..at] is not ("http" or "https"))
        {
            return false;
        }

        var authority = origin[(at + 3)..];
        var local = http.Connection.LocalIpAddress;
        return authority == $"127.0.0.1:{port}"
            || authority == $"[::1]:{port}"
            || authority == $"localhost:{port}"
            || (local is not null && authority == (local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]:{port}" : $"{local}:{port}"))
            || (local is not null && local.IsIPv4MappedToIPv6 && authority == $"{local.MapToIPv4()}:{port}");
    }

    private bool IsAllowedMethod(string method) => _allowedMethods.Contains(method.ToUpperInvariant());

    /// <summary>rs/cors' preflight: 204 always; CORS headers only when origin, method and every requested header are allowed.</summary>
    private void AnswerPreflight(HttpContext http, string origin, bool allowedOrigin)
    {
        var request = http.Request;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        response.Headers.Append(HeaderNames.Vary, new StringValues([HeaderNames.Origin, HeaderNames.AccessControlRequestMethod, HeaderNames.AccessControlRequestHeaders]));
        var method = request.Headers.AccessControlRequestMethod.ToString();
        var requested = request.Headers.AccessControlRequestHeaders.ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!allowedOrigin || !IsAllowedMethod(method) || !requested.All(_allowedRequestHeaders.Contains))
        {
            // The OnStarting callback sees no allowed origin for this method and writes no CORS headers.
            http.Items[PreflightRefused] = true;
            return;
        }

        response.Headers.AccessControlAllowMethods = method.ToUpperInvariant();
        if (requested.Length > 0)
        {
            response.Headers.AccessControlAllowHeaders = string.Join(", ", requested);
        }

        http.Items[PreflightMethodAllowed] = true;
    }

    private static readonly object PreflightRefused = new();
    private static readonly object PreflightMethodAllowed = new();

    private void WriteHeaders(HttpResponse response, string origin, bool corsAllowed)
    {
        var headers = response.Headers;
        foreach (var (name, values) in _plainHeaders)
        {
            headers[name] = values;
        }

        // A forwarded daemon's own CORS answer is for the gateway, not for the browser: only this policy's counts.
        headers.Remove(HeaderNames.AccessControlAllowOrigin);
        headers.Remove(HeaderNames.AccessControlAllowCredentials);
        headers.Remove(HeaderNames.AccessControlExposeHeaders);
        var items = response.HttpContext.Items;
        if (items.ContainsKey(PreflightRefused))
        {
            return;
        }

        if (!items.ContainsKey(PreflightMethodAllowed))
        {
            headers.Remove(HeaderNames.AccessControlAllowMethods);
            headers.Remove(HeaderNames.AccessControlAllowHeaders);
            headers.Append(HeaderNames.Vary, HeaderNames.Origin);
            if (!corsAllowed)
            {
                return;
            }

            headers.AccessControlExposeHeaders = ExposedHeaders;
        }
        else if (origin.Length == 0)
        {
            return;
        }

        // rs/cors answers "*" for a wildcard unless credentials are allowed, which a browser refuses with "*".
        headers.AccessControlAllowOrigin = _anyOrigin && !_allowCredentials ? "*" : origin;
        if (_allowCredentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }
    }

    private static string Echo(string value) =>
        value.Length <= MaxEchoLength ? value : string.Concat(value.AsSpan(0, MaxEchoLength), "…");

    private static ILogger Log(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<BrowserPolicy>();
}

/// <summary>Puts <see cref="BrowserPolicy"/> in front of every endpoint.</summary>
internal static class BrowserPolicyExtensions
{
    /// <summary>Runs the policy for every request of <paramref name="app"/>: the host applies it to the Kubo RPC listener only.</summary>
    public static IApplicationBuilder UseKuboBrowserPolicy(this IApplicationBuilder app)
    {
        var policy = app.ApplicationServices.GetRequiredService<BrowserPolicy>();
        return app.Use(next => http => policy.InvokeAsync(http, next));
    }
}
