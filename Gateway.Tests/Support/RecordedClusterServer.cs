using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 that answers like an ipfs-cluster REST API from recorded
/// responses: status, headers, a JSON document or NDJSON lines flushed one by one, the
/// <c>X-Stream-Error</c> trailer (docs/protocol/cluster-rest.md §1.3), and misbehaviour on demand (drop the
/// connection mid-stream, hang). Every request is recorded for assertions. Routes match on
/// method and path; queued responses are served in order and the last one repeats.
/// </summary>
internal sealed class RecordedClusterServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private RecordedClusterServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<RecordedClusterServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordedClusterServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    /// <summary>A URL on which nothing listens: a port bound and released again.</summary>
    public static Uri RefusingUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Serves <paramref name="responses"/> in order to <c>METHOD /path</c> (any query); the last one repeats.</summary>
    public RecordedClusterServer On(string method, string path, params RecordedResponse[] responses)
    {
        _routes[method + " " + path] = new Route(new ConcurrentQueue<RecordedResponse>(responses), null);
        return this;
    }

    /// <summary>Answers <c>METHOD /path</c> with custom code (for tests that must interleave with the client).</summary>
    public RecordedClusterServer On(string method, string path, Func<HttpContext, Task> handler)
    {
        _routes[method + " " + path] = new Route(new ConcurrentQueue<RecordedResponse>(), handler);
        return this;
    }

    public int Count(string method, string path) => _requests.Count(r => r.Method == method && r.Path == path);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }

        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Headers.Authorization.ToString(),
            request.ContentType,
            body));

        if (!_routes.TryGetValue(request.Method + " " + request.Path.Value, out var route))
        {
            await WriteAsync(context, RecordedResponse.Error(404, "not found"));
            return;
        }

        if (route.Handler is not null)
        {
            await route.Handler(context);
            return;
        }

        RecordedResponse? response;
        lock (route)
        {
            if (route.Queue.Count > 1)
            {
                route.Queue.TryDequeue(out response);
            }
            else
            {
                route.Queue.TryPeek(out response);
            }
        }

        await WriteAsync(context, response ?? RecordedResponse.Error(500, "no recorded response"));
    }

    private static async Task WriteAsync(HttpContext context, RecordedResponse recorded)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        if (recorded.Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        response.StatusCode = recorded.Status;
        foreach (var (name, value) in recorded.Headers)
        {
            response.Headers[name] = value;
        }

        if (recorded.Lines is null)
        {
            if (recorded.Body is not null)
            {
                response.ContentType ??= "application/json";
                await response.WriteAsync(recorded.Body, aborted);
            }

            return;
        }

        var stream = await StreamWriter.StartAsync(context);
        var written = 0;
        foreach (var line in recorded.Lines)
        {
            if (recorded.DropAfterLines == written)
            {
                break;
            }

            await stream.WriteLinesAsync([line]);
            written++;
        }

        if (recorded.DropAfterLines is not null)
        {
            // Ends the connection without the terminating chunk: a truncated chunked body.
            if (recorded.DropWhen is { } dropWhen)
            {
                await dropWhen.WaitAsync(TimeSpan.FromSeconds(20), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            context.Abort();
            return;
        }

        await stream.EndAsync(recorded.StreamErrors);
    }

    /// <summary>
    /// Writes a docs/protocol/cluster-rest.md §1.3 stream with its own chunked framing: Kestrel does not send HTTP/1.1 response
    /// trailers, and leaves the framing to the app when the app sets <c>Transfer-Encoding: chunked</c>.
    /// </summary>
    internal sealed class StreamWriter
    {
        private readonly HttpContext _context;

        private StreamWriter(HttpContext context) => _context = context;

        public static async Task<StreamWriter> StartAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.Headers.TransferEncoding = "chunked";
            response.Headers.Trailer = "X-Stream-Error";
            await response.StartAsync(context.RequestAborted);
            return new StreamWriter(context);
        }

        /// <summary>One chunk holding these NDJSON lines, flushed.</summary>
        public async Task WriteLinesAsync(IEnumerable<string> lines)
        {
            var payload = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            if (payload.Length == 0)
            {
                return;
            }

            var body = _context.Response.Body;
            await body.WriteAsync(Encoding.ASCII.GetBytes($"{payload.Length:x}\r\n"), _context.RequestAborted);
            await body.WriteAsync(payload, _context.RequestAborted);
            await body.WriteAsync("\r\n"u8.ToArray(), _context.RequestAborted);
            await body.FlushAsync(_context.RequestAborted);
        }

        /// <summary>The last chunk and the trailer: an empty first value, then <paramref name="errors"/> (as ipfs-cluster does).</summary>
        public async Task EndAsync(IEnumerable<string> errors)
        {
            var trailer = new StringBuilder("0\r\nX-Stream-Error: \r\n");
            foreach (var error in errors)
            {
                trailer.Append("X-Stream-Error: ").Append(error).Append("\r\n");
            }

            trailer.Append("\r\n");
            await _context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(trailer.ToString()), _context.RequestAborted);
            await _context.Response.Body.FlushAsync(_context.RequestAborted);
        }
    }

    private sealed record Route(ConcurrentQueue<RecordedResponse> Queue, Func<HttpContext, Task>? Handler);
}

internal sealed record RecordedRequest(string Method, string Path, string Query, string Authorization, string? ContentType, byte[] Body);

/// <summary>One recorded answer of <see cref="RecordedClusterServer"/>.</summary>
internal sealed record RecordedResponse
{
    public int Status { get; init; } = 200;

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A single document (written as is).</summary>
    public string? Body { get; init; }

    /// <summary>NDJSON items: the response becomes a docs/protocol/cluster-rest.md §1.3 stream.</summary>
    public IReadOnlyList<string>? Lines { get; init; }

    /// <summary>Non-empty <c>X-Stream-Error</c> values after the empty first one.</summary>
    public IReadOnlyList<string> StreamErrors { get; init; } = [];

    /// <summary>Abort the connection after this many lines (no final chunk, no trailer).</summary>
    public int? DropAfterLines { get; init; }

    /// <summary>
    /// Delays that drop until this completes (the client confirming it read the lines): an abort
    /// resets the connection, and a reset makes the client's kernel discard data not yet read.
    /// </summary>
    public Task? DropWhen { get; init; }

    /// <summary>Never answer (until the client goes away).</summary>
    public bool Hang { get; init; }

    public static RecordedResponse Json(string body, int status = 200) => new() { Status = status, Body = body + "\n" };

    public static RecordedResponse Golden(string name, int status = 200) =>
        Json(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests", "Clusters", "Golden", name)).TrimEnd(), status);

    /// <summary>The cluster's error body (docs/protocol/cluster-rest.md §1.2): <c>{"code":…,"message":…}</c>.</summary>
    public static RecordedResponse Error(int status, string message) =>
        Json($$"""{"code":{{status}},"message":{{System.Text.Json.JsonSerializer.Serialize(message)}}}""", status);

    public static RecordedResponse Stream(params string[] lines) => new() { Lines = lines };

    public static RecordedResponse NoContent() => new() { Status = 204 };

    public static RecordedResponse Hanging() => new() { Hang = true };
}
