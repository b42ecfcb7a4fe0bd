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
/// <c>X-Stream-Error</c> trailer (cluster-rest-api.md §1.3), and misbehaviour on demand (drop the
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

        // §1.3: NDJSON, one flush per object, trailer declared up front, first value empty on purpose.
        response.ContentType = "application/json";
        response.DeclareTrailer("X-Stream-Error");
        var written = 0;
        foreach (var line in recorded.Lines)
        {
            if (recorded.DropAfterLines == written)
            {
                break;
            }

            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), aborted);
            await response.Body.FlushAsync(aborted);
            written++;
        }

        if (recorded.DropAfterLines is not null)
        {
            // Ends the connection without the terminating chunk: a truncated chunked body.
            await response.Body.FlushAsync(aborted);
            context.Abort();
            return;
        }

        response.AppendTrailer("X-Stream-Error", new Microsoft.Extensions.Primitives.StringValues(["", .. recorded.StreamErrors]));
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

    /// <summary>NDJSON items: the response becomes a §1.3 stream.</summary>
    public IReadOnlyList<string>? Lines { get; init; }

    /// <summary>Non-empty <c>X-Stream-Error</c> values after the empty first one.</summary>
    public IReadOnlyList<string> StreamErrors { get; init; } = [];

    /// <summary>Abort the connection after this many lines (no final chunk, no trailer).</summary>
    public int? DropAfterLines { get; init; }

    /// <summary>Never answer (until the client goes away).</summary>
    public bool Hang { get; init; }

    public static RecordedResponse Json(string body, int status = 200) => new() { Status = status, Body = body + "\n" };

    public static RecordedResponse Golden(string name, int status = 200) =>
        Json(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests", "Clusters", "Golden", name)).TrimEnd(), status);

    /// <summary>The cluster's error body (§1.2): <c>{"code":…,"message":…}</c>.</summary>
    public static RecordedResponse Error(int status, string message) =>
        Json($$"""{"code":{{status}},"message":{{System.Text.Json.JsonSerializer.Serialize(message)}}}""", status);

    public static RecordedResponse Stream(params string[] lines) => new() { Lines = lines };

    public static RecordedResponse NoContent() => new() { Status = 204 };

    public static RecordedResponse Hanging() => new() { Hang = true };
}
