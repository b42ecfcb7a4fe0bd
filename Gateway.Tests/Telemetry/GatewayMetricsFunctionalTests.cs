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
}
