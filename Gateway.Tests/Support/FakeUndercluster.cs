using System.Net;
using System.Net.Sockets;
using System.Text;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Tests.Support;

/// <summary>How the fake answers <c>GET /id</c>.</summary>
internal enum FakeUnderclusterMode
{
    Serve,
    Fail500,
    Hang,
}

/// <summary>
/// A minimal ipfs-cluster REST API on loopback that only answers <c>GET /id</c>
/// (cluster-rest-api.md §5.1, §1.1 for Basic auth). A stand-in until the project's undercluster
/// emulator lands; keep it this small so the swap is easy.
/// </summary>
internal sealed class FakeUndercluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private FakeUndercluster(WebApplication app, string peerId)
    {
        _app = app;
        PeerId = peerId;
    }

    public string PeerId { get; }

    public Uri Url { get; private set; } = null!;

    public FakeUnderclusterMode Mode { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The Authorization header of the latest request, if any.</summary>
    public string? LastAuthorization { get; private set; }

    public static async Task<FakeUndercluster> StartAsync(string peerId, (string User, string Password)? basicAuth = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeUndercluster(app, peerId);
        var expected = basicAuth is { } auth
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.User}:{auth.Password}"))
            : null;

        app.MapGet("/id", async context =>
        {
            Interlocked.Increment(ref fake._requests);
            fake.LastAuthorization = context.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null;
            if (expected is not null && fake.LastAuthorization != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"Restricted IPFS Cluster API\"";
                await context.Response.WriteAsJsonAsync(new ClusterError(401, "unauthorized: access denied"), ClusterJsonContext.Default.ClusterError);
                return;
            }

            switch (fake.Mode)
            {
                case FakeUnderclusterMode.Fail500:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsJsonAsync(new ClusterError(500, "fake failure"), ClusterJsonContext.Default.ClusterError);
                    break;
                case FakeUnderclusterMode.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
                default:
                    await context.Response.WriteAsJsonAsync(new ClusterPeer { Id = fake.PeerId, Version = "1.1.6" }, ClusterJsonContext.Default.ClusterPeer);
                    break;
            }
        });

        await app.StartAsync();
        fake.Url = new Uri(app.Urls.Single());
        return fake;
    }

    /// <summary>A loopback URL nothing listens on: bound once by us, then closed.</summary>
    public static Uri UnusedUrl()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new Uri($"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}");
    }

    public async ValueTask DisposeAsync()
    {
        // Hanging requests end with the server; do not wait on them for the default 30 s.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
