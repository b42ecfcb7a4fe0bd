using System.Collections.Concurrent;
using System.Net;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>A loopback OTLP/HTTP collector that keeps the protobuf body of every <c>POST /v1/traces</c>.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string? ContentType, byte[] Body)> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<(string? ContentType, byte[] Body)> Exports => [.. _exports];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            // Test-sized bodies: a few spans.
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            receiver._exports.Enqueue((http.Request.ContentType, body.ToArray()));
            // An empty ExportTraceServiceResponse is zero bytes of protobuf.
            http.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.First());
        return receiver;
    }

    /// <summary>How often <paramref name="needle"/> occurs in all bodies received.</summary>
    public int Occurrences(ReadOnlySpan<byte> needle)
    {
        var count = 0;
        foreach (var (_, body) in _exports)
        {
            var rest = body.AsSpan();
            for (var at = rest.IndexOf(needle); at >= 0; at = rest.IndexOf(needle))
            {
                count++;
                rest = rest[(at + needle.Length)..];
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
