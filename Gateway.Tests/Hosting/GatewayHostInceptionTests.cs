using System.Net;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Hosting;

/// <summary>The whole gateway (GatewayHost, both listeners, real clock) against an undercluster that impersonates the inception.</summary>
public sealed class GatewayHostInceptionTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-inception-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Start_UnderclusterPeerUsesThisGateway_ReadyRefusesWithTheMessage()
    {
        var identity = IdentityKeyFile.LoadOrCreate(Path.Combine(folder, "identity.key"));
        var self = identity.Identity!.PeerId.ToString();
        await using var undercluster = await FakeUndercluster.StartAsync("12D3KooWLocal");
        undercluster.IpfsId = self;
        await using var host = GatewayHost.Create(Options(undercluster.Url), identity, new LoggingOptions { Level = LogLevel.Warning });
        var health = host.Services.GetRequiredService<UnderclusterHealth>();
        var changed = health.WaitForChangeAsync(CancellationToken.None);

        await host.StartAsync(CancellationToken.None);
        // The first probe goes at start, without waiting for the probe interval (5 s by default).
        await changed.WaitAsync(TimeSpan.FromSeconds(4));
        using var admin = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.AdminEndPoint) };
        using var ready = await admin.GetAsync("/ready");
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var entry = body.RootElement.GetProperty("underclusters")[0];
        var metrics = await admin.GetStringAsync("/metrics");
        using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        using var pin = await kubo.PostAsync("/api/v0/pin/add?arg=QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o&progress=true", null);
        using var pinError = JsonDocument.Parse(await pin.Content.ReadAsStringAsync());
        using var stat = await kubo.PostAsync("/api/v0/repo/stat?size-only=true", null);
        using var statError = JsonDocument.Parse(await stat.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            // Refused before any undercluster call, as a Kubo error the overcluster peer shows; no repo/stat,
            // so the peer publishes no freespace metric and allocates nothing here.
            Assert.That((int)pin.StatusCode, Is.EqualTo(500));
            Assert.That(pinError.RootElement.GetProperty("Message").GetString(), Does.StartWith("inception: undercluster \"local\""));
            Assert.That((int)stat.StatusCode, Is.EqualTo(500));
            Assert.That(statError.RootElement.GetProperty("Message").GetString(), Does.StartWith("inception: "));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(entry.GetProperty("state").GetString(), Is.EqualTo("inception"));
            Assert.That(entry.GetProperty("last_error").GetString(), Is.EqualTo(
                $"inception: undercluster \"local\" peer 12D3KooWLocal (fake-ocal) uses this gateway ({self}) as its IPFS daemon; "
                + "pins through it would loop back here. Point that peer's ipfshttp.node_multiaddress at a real IPFS daemon."));
            Assert.That(health.TryGetRefusal("local", out _), Is.True);
            Assert.That(metrics, Does.Contain("gateway_undercluster_inception{undercluster=\"local\"} 1\n"));
        });
    }

    [Test]
    public async Task PinBeforeTheFirstProbeAnswered_WaitsForItAndIsRefused_NothingReachesTheUndercluster()
    {
        var identity = IdentityKeyFile.LoadOrCreate(Path.Combine(folder, "identity.key"));
        await using var undercluster = await FakeUndercluster.StartAsync("12D3KooWLocal");
        undercluster.IpfsId = identity.Identity!.PeerId.ToString();
        // The first probe takes a while: without the wait, a pin sent at start would find the state "unknown" and go through.
        undercluster.IdDelay = TimeSpan.FromSeconds(1);
        await using var host = GatewayHost.Create(Options(undercluster.Url), identity, new LoggingOptions { Level = LogLevel.Warning });
        await host.StartAsync(CancellationToken.None);
        using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };

        using var pin = await kubo.PostAsync("/api/v0/pin/add?arg=QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o&progress=true", null);
        using var pinError = JsonDocument.Parse(await pin.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That((int)pin.StatusCode, Is.EqualTo(500));
            Assert.That(pinError.RootElement.GetProperty("Message").GetString(), Does.StartWith("inception: undercluster \"local\""));
            Assert.That(undercluster.OtherRequests, Is.Zero, "no pin call reached the undercluster");
        });
    }

    [Test]
    public async Task Start_UnderclusterHangs_StartDoesNotWaitForTheProbe()
    {
        var identity = IdentityKeyFile.LoadOrCreate(Path.Combine(folder, "identity.key"));
        await using var undercluster = await FakeUndercluster.StartAsync("12D3KooWSlow");
        undercluster.Mode = FakeUnderclusterMode.Hang;
        await using var host = GatewayHost.Create(Options(undercluster.Url), identity, new LoggingOptions { Level = LogLevel.Warning });

        await host.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        using var admin = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.AdminEndPoint) };
        using var ready = await admin.GetAsync("/ready");
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        // In flight before the 5 s probe interval would have elapsed: the first probe is not a tick away.
        using var inFlight = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        while (undercluster.Requests == 0 && !inFlight.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }

        Assert.Multiple(() =>
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(body.RootElement.GetProperty("underclusters")[0].GetProperty("state").GetString(), Is.EqualTo("unknown"));
            Assert.That(undercluster.Requests, Is.EqualTo(1), "the first probe is in flight");
        });
    }

    private GatewayOptions Options(Uri undercluster) => new()
    {
        Listen = "127.0.0.1:0",
        AdminListen = "127.0.0.1:0",
        IdentityFile = Path.Combine(folder, "identity.key"),
        ShutdownTimeout = TimeSpan.FromSeconds(2),
        Underclusters = [new UnderclusterOptions { Name = "local", Url = undercluster, Timeout = TimeSpan.FromSeconds(30) }],
    };
}
