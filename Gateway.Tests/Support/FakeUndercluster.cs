using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Tests.Support;

/// <summary>How the fake answers <c>GET /id</c> (and <c>GET /peers</c>).</summary>
internal enum FakeUnderclusterMode
{
    Serve,
    Fail500,
    Hang,
}

/// <summary>
/// A minimal ipfs-cluster REST API on loopback that only answers <c>GET /id</c> and <c>GET /peers</c>
/// (docs/protocol/cluster-rest.md §5.1, §5.3, §1.3 for the NDJSON stream, §1.1 for Basic auth). A stand-in until
/// the project's undercluster emulator lands; keep it this small so the swap is easy.
/// </summary>
internal sealed class FakeUndercluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _otherRequests;
    private int _peersRequests;
    private volatile string? _ipfsId;
    private volatile IReadOnlyList<ClusterPeer> _otherPeers = [];

    private FakeUndercluster(WebApplication app, string peerId)
    {
        _app = app;
        PeerId = peerId;
    }

    public string PeerId { get; }

    public Uri Url { get; private set; } = null!;

    public FakeUnderclusterMode Mode { get; set; }

    /// <summary><c>GET /id</c> requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary><c>GET /peers</c> requests received.</summary>
    public int PeersRequests => Volatile.Read(ref _peersRequests);

    /// <summary>What this peer reports as its IPFS daemon's peer ID (<c>ipfs.id</c>, docs/protocol/cluster-rest.md §2.3); null: omitted.</summary>
    public string? IpfsId
    {
        get => _ipfsId;
        set => _ipfsId = value;
    }

    /// <summary>How long <c>GET /id</c> waits before it answers (a slow first probe).</summary>
    public TimeSpan IdDelay { get; set; }

    /// <summary>Requests to anything but <c>/id</c> and <c>/peers</c> (pins, allocations, metrics): answered 404.</summary>
    public int OtherRequests => Volatile.Read(ref _otherRequests);

    /// <summary>When set, <c>GET /peers</c> answers 500 (while <c>/id</c> follows <see cref="Mode"/>).</summary>
    public bool FailPeers { get; set; }

    /// <summary>The cluster's other peers, listed by <c>GET /peers</c> after this one.</summary>
    public IReadOnlyList<ClusterPeer> OtherPeers
    {
        get => _otherPeers;
        set => _otherPeers = value;
    }

    public ClusterPeer Self => new()
    {
        Id = PeerId,
        Peername = "fake-" + PeerId[^4..].ToLowerInvariant(),
        Version = "1.1.6",
        Ipfs = new IpfsPeer { Id = IpfsId },
    };

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

        async Task<bool> RefusedAsync(HttpContext context)
        {
            fake.LastAuthorization = context.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null;
            if (expected is null || fake.LastAuthorization == expected)
            {
                return false;
            }

            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Restricted IPFS Cluster API\"";
            await context.Response.WriteAsJsonAsync(new ClusterError(401, "unauthorized: access denied"), ClusterJsonContext.Default.ClusterError);
            return true;
        }

        async Task<bool> MisbehavesAsync(HttpContext context)
        {
            switch (fake.Mode)
            {
                case FakeUnderclusterMode.Fail500:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsJsonAsync(new ClusterError(500, "fake failure"), ClusterJsonContext.Default.ClusterError);
                    return true;
                case FakeUnderclusterMode.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return true;
                default:
                    return false;
            }
        }

        app.MapGet("/id", async context =>
        {
            Interlocked.Increment(ref fake._requests);
            if (fake.IdDelay > TimeSpan.Zero)
            {
                await Task.Delay(fake.IdDelay, context.RequestAborted);
            }

            if (!await RefusedAsync(context) && !await MisbehavesAsync(context))
            {
                await context.Response.WriteAsJsonAsync(fake.Self, ClusterJsonContext.Default.ClusterPeer);
            }
        });

        app.MapGet("/peers", async context =>
        {
            Interlocked.Increment(ref fake._peersRequests);
            if (await RefusedAsync(context) || await MisbehavesAsync(context))
            {
                return;
            }

            if (fake.FailPeers)
            {
                // docs/protocol/cluster-rest.md §1.3: no item and an error.
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new ClusterError(500, "fake peers failure"), ClusterJsonContext.Default.ClusterError);
                return;
            }

            // docs/protocol/cluster-rest.md §1.3: one JSON object per line, flushed as it goes.
            context.Response.ContentType = "application/json";
            foreach (var peer in (IEnumerable<ClusterPeer>)[fake.Self, .. fake.OtherPeers])
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(peer, ClusterJsonContext.Default.ClusterPeer) + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });

        app.MapFallback(context =>
        {
            Interlocked.Increment(ref fake._otherRequests);
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
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
