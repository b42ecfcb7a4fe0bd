using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using CompositeGateway.Lab;
using static CompositeGateway.Tests.Support.Exposition;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>The real gateway in front of the emulator: what it does shows up in /metrics.</summary>
public sealed class GatewayMetricsFunctionalTests
{
    private const string Cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    [Test]
    public async Task Metrics_AfterPinAndQueries_CountKuboAndUnderclusterRequests()
    {
        var folder = Directory.CreateTempSubdirectory("cg-metrics-");
        try
        {
            await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Peers = 2 }, null, CancellationToken.None);
            var options = new GatewayOptions
            {
                Listen = "127.0.0.1:0",
                AdminListen = "127.0.0.1:0",
                IdentityFile = Path.Combine(folder.FullName, "identity.key"),
                Underclusters = [new UnderclusterOptions { Name = "lab", Url = cluster.BaseAddress }],
                PinPath = new CompositeGateway.Configuration.PinPathOptions { PollInterval = TimeSpan.FromMilliseconds(50) },
            };
            await using var host = GatewayHost.Create(options, IdentityKeyFile.LoadOrCreate(options.IdentityFile), new LoggingOptions { Level = LogLevel.Warning });
            await host.StartAsync(CancellationToken.None);
            using var kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
            using var admin = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.AdminEndPoint) };

            using (var pin = await kubo.PostAsync($"/api/v0/pin/add?arg={Cid}&recursive=true", null))
            {
                Assert.That(pin.IsSuccessStatusCode, Is.True, await pin.Content.ReadAsStringAsync());
            }

            using (var missing = await kubo.PostAsync("/api/v0/pin/ls?arg=QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH&stream=true", null))
            {
                Assert.That((int)missing.StatusCode, Is.EqualTo(500));
            }

            var exposition = await admin.GetStringAsync("/metrics");
            Assert.Multiple(() =>
            {
                Assert.That(Sample(exposition, "gateway_kubo_requests_total", "command=\"pin/add\"", "code=\"200\""), Is.EqualTo(1));
                Assert.That(Sample(exposition, "gateway_kubo_requests_total", "command=\"pin/ls\"", "code=\"500\""), Is.EqualTo(1));
                Assert.That(Sample(exposition, "gateway_kubo_request_duration_seconds_count", "command=\"pin/add\""), Is.EqualTo(1));
                Assert.That(Sample(exposition, "gateway_undercluster_requests_total", "undercluster=\"lab\"", "outcome=\"success\""), Is.GreaterThanOrEqualTo(3),
                    "allocation read, pin write, read-back and status polls all reach the emulator");
                Assert.That(Sample(exposition, "gateway_pins_waiting", "undercluster=\"lab\""), Is.Zero, "no pin is held any more");
            });
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Metrics_PinRepoStatAndErrors_ShowPinWaitsFreeSpaceCircuitAndErrorKinds()
    {
        await using var gateway = await LabGateway.StartAsync(new EmulatedClusterOptions { Peers = 2 }, TimeSpan.FromHours(1));

        using (var pin = await gateway.Kubo.PostAsync($"/api/v0/pin/add?arg={Cid}&recursive=true", null))
        {
            Assert.That(pin.IsSuccessStatusCode, Is.True, await pin.Content.ReadAsStringAsync());
        }

        using (var stat = await gateway.Kubo.PostAsync("/api/v0/repo/stat?size-only=true", null))
        {
            Assert.That(stat.IsSuccessStatusCode, Is.True, await stat.Content.ReadAsStringAsync());
        }

        using (var missing = await gateway.Kubo.PostAsync("/api/v0/pin/ls?arg=QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH&stream=true", null))
        {
            Assert.That((int)missing.StatusCode, Is.EqualTo(500));
        }

        using (var badArgument = await gateway.Kubo.PostAsync("/api/v0/pin/add?arg=not-a-cid", null))
        {
            Assert.That((int)badArgument.StatusCode, Is.AnyOf(400, 500));
        }

        using (var get = await gateway.Kubo.GetAsync("/api/v0/pin/add?arg=" + Cid))
        {
            Assert.That((int)get.StatusCode, Is.EqualTo(405));
        }

        var exposition = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(Sample(exposition, "gateway_pin_waits_total", "undercluster=\"lab\"", "outcome=\"pinned\""), Is.EqualTo(1), exposition);
            Assert.That(Sample(exposition, "gateway_pin_wait_duration_seconds_count", "undercluster=\"lab\""), Is.EqualTo(1));
            Assert.That(Sample(exposition, "gateway_pin_wait_duration_seconds_bucket", "undercluster=\"lab\"", "le=\"3600\""), Is.EqualTo(1));
            Assert.That(Sample(exposition, "gateway_pins_waiting", "undercluster=\"lab\""), Is.Zero);
            Assert.That(Sample(exposition, "gateway_undercluster_free_space_bytes", "undercluster=\"lab\""), Is.GreaterThan(0));
            Assert.That(Sample(exposition, "gateway_undercluster_circuit_open", "undercluster=\"lab\""), Is.Zero);
            Assert.That(Sample(exposition, "gateway_kubo_errors_total", "command=\"pin/ls\"", "kind=\"not_pinned\""), Is.EqualTo(1));
            Assert.That(Sample(exposition, "gateway_kubo_errors_total", "command=\"pin/add\"", "kind=\"bad_argument\""), Is.EqualTo(1));
            Assert.That(Sample(exposition, "gateway_kubo_errors_total", "command=\"pin/add\"", "kind=\"not_allowed\""), Is.EqualTo(1));
            Assert.That(Sample(exposition, "gateway_kubo_requests_total", "command=\"pin/add\"", "code=\"405\""), Is.EqualTo(1), "a 405 on a known command keeps its label");
            Assert.That(Sample(exposition, "gateway_kubo_requests_total", "command=\"unknown\"", "code=\"405\""), Is.NaN);
        });
    }

    [Test]
    public async Task Metrics_PinNeverPinnedWithinWaitLimit_CountsWaitLimitOutcome()
    {
        await using var gateway = await LabGateway.StartAsync(new EmulatedClusterOptions { Peers = 2, PinDelay = TimeSpan.FromMinutes(10) }, TimeSpan.FromMilliseconds(300));

        using (var pin = await gateway.Kubo.PostAsync($"/api/v0/pin/add?arg={Cid}&recursive=true", null))
        {
            Assert.That((int)pin.StatusCode, Is.EqualTo(500), await pin.Content.ReadAsStringAsync());
        }

        var exposition = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(Sample(exposition, "gateway_pin_waits_total", "undercluster=\"lab\"", "outcome=\"wait_limit\""), Is.EqualTo(1), exposition);
            Assert.That(Sample(exposition, "gateway_pin_waits_total", "undercluster=\"lab\"", "outcome=\"pinned\""), Is.NaN);
            Assert.That(Sample(exposition, "gateway_kubo_errors_total", "command=\"pin/add\"", "kind=\"undercluster_error\""), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Metrics_UnderclusterDown_CircuitOpenAndErrorsKindUnreachable()
    {
        await using var gateway = await LabGateway.StartAsync(new EmulatedClusterOptions { Peers = 2 }, TimeSpan.FromHours(1));
        await gateway.Cluster.GoDownAsync();
        var health = gateway.Host.Services.GetRequiredService<CompositeGateway.Underclusters.UnderclusterHealth>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (health.Snapshot()[0].State != CompositeGateway.Underclusters.UnderclusterState.Down)
        {
            await health.WaitForChangeAsync(timeout.Token);
        }

        using (var pin = await gateway.Kubo.PostAsync($"/api/v0/pin/add?arg={Cid}&recursive=true", null))
        {
            Assert.That((int)pin.StatusCode, Is.EqualTo(500), await pin.Content.ReadAsStringAsync());
        }

        var exposition = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(Sample(exposition, "gateway_undercluster_circuit_open", "undercluster=\"lab\""), Is.EqualTo(1), exposition);
            Assert.That(Sample(exposition, "gateway_kubo_errors_total", "command=\"pin/add\"", "kind=\"unreachable\""), Is.EqualTo(1));
        });
    }
}
