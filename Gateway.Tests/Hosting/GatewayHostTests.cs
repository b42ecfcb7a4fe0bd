using System.Net;
using System.Net.Sockets;
using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using Microsoft.Extensions.Options;

namespace CompositeGateway.Tests.Hosting;

public sealed class GatewayHostTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-host-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task UnknownKuboCommand_OnKuboListener_KuboJsonError404()
    {
        await using var host = await StartAsync();
        using var client = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        using var response = await client.PostAsync("/api/v0/pin/frobnicate?arg=x", null);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(await response.Content.ReadAsStringAsync(),
                Does.StartWith("""{"Message":"unknown command \"pin/frobnicate\": not answered by the gateway, and no undercluster has an IPFS daemon"""));
        });
    }

    [Test]
    public async Task RouteSets_EachListenerServesOnlyItsOwn()
    {
        await using var host = await StartAsync(app =>
        {
            app.ForListener(GatewayListener.Admin).MapGet("/admin-test-route", () => "admin-only");
            app.ForListener(GatewayListener.KuboRpc).MapPost("/api/v0/test-only", () => "kubo-only");
            app.MapGet("/untagged", () => "nowhere");
        });
        using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        using var admin = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.AdminEndPoint) };

        Assert.Multiple(async () =>
        {
            Assert.That(await admin.GetStringAsync("/admin-test-route"), Is.EqualTo("admin-only"));
            Assert.That((await kubo.GetAsync("/admin-test-route")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "admin path on the Kubo listener");

            Assert.That(await (await kubo.PostAsync("/api/v0/test-only", null)).Content.ReadAsStringAsync(), Is.EqualTo("kubo-only"));
            var onAdmin = await admin.PostAsync("/api/v0/test-only", null);
            Assert.That(onAdmin.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "Kubo command on the admin listener");
            Assert.That(await onAdmin.Content.ReadAsStringAsync(), Is.Empty, "not even the Kubo-style unknown-command answer");

            Assert.That((await kubo.GetAsync("/untagged")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await admin.GetAsync("/untagged")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("/health")]
    [TestCase("/ready")]
    [TestCase("/metrics")]
    public async Task AdminPaths_OnKuboListener_NotFound(string path)
    {
        await using var host = await StartAsync();
        using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        using var response = await kubo.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task AdminRoute_HostHeaderOfAdminPortOnKuboListener_StillNotServed()
    {
        await using var host = await StartAsync(app => app.ForListener(GatewayListener.Admin).MapGet("/admin-test-route", () => "admin-only"));
        using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin-test-route");
        request.Headers.Host = ((IPEndPoint)host.AdminEndPoint).ToString();
        using var response = await kubo.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Start_PortZero_BindsDistinctRealPorts()
    {
        await using var host = await StartAsync();
        var kubo = (IPEndPoint)host.KuboRpcEndPoint;
        var admin = (IPEndPoint)host.AdminEndPoint;
        Assert.Multiple(() =>
        {
            Assert.That(kubo.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(kubo.Port, Is.Not.Zero);
            Assert.That(admin.Port, Is.Not.Zero.And.Not.EqualTo(kubo.Port));
        });
    }

    [Test]
    public async Task Start_UnixSocketListen_ServesKuboRpcOverSocket()
    {
        var socket = Path.Combine(folder, "kubo.sock");
        await using var host = await StartAsync(options: Options() with { Listen = "unix:" + socket });
        Assert.That(host.KuboRpcEndPoint, Is.InstanceOf<UnixDomainSocketEndPoint>());
        using var client = UnixSocketClient(socket);
        using var response = await client.PostAsync("http://gateway/api/v0/nope", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("unknown command"));
    }

    [Test]
    public async Task Start_StaleUnixSocketFileLeftByKilledProcess_Replaced()
    {
        var socket = Path.Combine(folder, "stale.sock");
        // .NET unlinks a socket file when the socket is disposed, so let a process die holding one instead.
        var start = new System.Diagnostics.ProcessStartInfo("node",
            ["-e", "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", socket]);
        using (var node = System.Diagnostics.Process.Start(start)!)
        {
            await node.WaitForExitAsync();
        }

        Assert.That(File.Exists(socket), Is.True, "a killed process leaves its socket file behind");
        await using var host = await StartAsync(options: Options() with { Listen = "unix:" + socket });
        using var client = UnixSocketClient(socket);
        using var response = await client.PostAsync("http://gateway/api/v0/nope", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Start_UnixSocketInUseByLiveListener_ThrowsIOException()
    {
        var socket = Path.Combine(folder, "live.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(socket));
        live.Listen();
        await using var host = GatewayHost.Create(Options() with { Listen = "unix:" + socket }, Identity(), new LoggingOptions { Level = LogLevel.None });
        await Assert.ThrowsAsync(Is.InstanceOf<IOException>(), () => host.StartAsync(CancellationToken.None));
    }

    [Test]
    public async Task Services_SharedSingletonsAndShutdownTimeout_Registered()
    {
        var options = Options() with { ShutdownTimeout = TimeSpan.FromSeconds(7) };
        await using var host = await StartAsync(options: options);
        Assert.Multiple(() =>
        {
            Assert.That(host.Services.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
            Assert.That(host.Services.GetRequiredService<GatewayOptions>(), Is.SameAs(options));
            Assert.That(host.Services.GetRequiredService<GatewayIdentity>().PeerId.ToString(), Does.StartWith("12D3KooW"));
            Assert.That(host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
        });
    }

    [Test]
    public async Task Start_PortTaken_ThrowsIOException()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using var host = GatewayHost.Create(Options() with { Listen = $"127.0.0.1:{port}" }, Identity(), new LoggingOptions());
        await Assert.ThrowsAsync(Is.InstanceOf<IOException>(), () => host.StartAsync(CancellationToken.None));
    }

    internal static HttpClient UnixSocketClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });

    private GatewayOptions Options() => new()
    {
        Listen = "127.0.0.1:0",
        AdminListen = "127.0.0.1:0",
        IdentityFile = Path.Combine(folder, "identity.key"),
        Underclusters = [new UnderclusterOptions { Name = "local", Url = new Uri("http://127.0.0.1:9") }],
    };

    private IdentityLoadResult Identity() => IdentityKeyFile.LoadOrCreate(Path.Combine(folder, "identity.key"));

    private async Task<GatewayHost> StartAsync(Action<WebApplication>? configure = null, GatewayOptions? options = null)
    {
        var host = GatewayHost.Create(options ?? Options(), Identity(), new LoggingOptions { Level = LogLevel.Warning }, configure);
        await host.StartAsync(CancellationToken.None);
        return host;
    }
}
