using CompositeGateway.Admin;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Telemetry;

public sealed class GatewayMetricsTests
{
    private static readonly GatewayOptions Options = new()
    {
        Underclusters =
        [
            new UnderclusterOptions { Name = "eu-west", Url = new Uri("http://127.0.0.1:9094") },
            new UnderclusterOptions { Name = "us \"east\"", Url = new Uri("http://127.0.0.1:9095") },
        ],
    };

    [Test]
    public async Task Scrape_EveryGatewayAndProcessMetric_PassesPromtoolLint()
    {
        await using var provider = BuildProvider();
        var collector = provider.GetRequiredService<PrometheusCollector>();
        var metrics = provider.GetRequiredService<GatewayMetrics>();
        _ = provider.GetRequiredService<ProcessMetrics>();
        provider.GetRequiredService<UnderclusterHealth>().RecordSuccess("eu-west", "12D3KooWfake");
        metrics.RecordKuboRequest("pin/add", 200, TimeSpan.FromMilliseconds(12));
        metrics.RecordKuboRequest("pin/ls", 500, TimeSpan.FromSeconds(2));
        metrics.RecordUnderclusterRequest("eu-west", "success", TimeSpan.FromMilliseconds(40));
        metrics.RecordProbe("eu-west", "success");
        metrics.PinWaitStarted();

        var text = collector.Scrape();
        var result = await Promtool.CheckMetricsAsync(text);

        Assert.That(result.ExitCode, Is.Zero, result + "\n" + text);
        Assert.That(result.Stdout + result.Stderr, Is.Empty, result + "\n" + text);
    }

    [Test]
    public async Task Scrape_AfterRecording_ExposesDocumentedFamilies()
    {
        await using var provider = BuildProvider();
        var collector = provider.GetRequiredService<PrometheusCollector>();
        var metrics = provider.GetRequiredService<GatewayMetrics>();
        _ = provider.GetRequiredService<ProcessMetrics>();
        provider.GetRequiredService<UnderclusterHealth>().RecordSuccess("eu-west", "12D3KooWfake");
        metrics.RecordKuboRequest("pin/add", 200, TimeSpan.FromMilliseconds(12));
        metrics.PinWaitStarted();
        metrics.PinWaitStarted();
        metrics.PinWaitEnded();

        var text = collector.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("gateway_kubo_requests_total{code=\"200\",command=\"pin/add\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_kubo_request_duration_seconds_bucket{command=\"pin/add\",le=\"0.025\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"eu-west\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"us \\\"east\\\"\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_pins_waiting 1\n"));
            Assert.That(text, Does.Contain($"gateway_build_info{{version=\"{ProductInfo.Version}\"}} 1\n"));
            Assert.That(text, Does.Contain("# TYPE process_cpu_seconds_total counter\n"));
            Assert.That(text, Does.Match(@"\nprocess_resident_memory_bytes [1-9]\d*\n"));
            Assert.That(text, Does.Match(@"\nprocess_start_time_seconds 1[7-9]\d{8}(\.\d+)?\n"));
            Assert.That(text, Does.Match(@"\nprocess_open_fds [1-9]\d*\n"));
            Assert.That(text, Does.Match(@"\ndotnet_gc_heap_size_bytes \d+\n"));
        });
    }

    [Test]
    public async Task Scrape_BeforeAnyPin_PinsWaitingReadsZero()
    {
        await using var provider = BuildProvider();
        var collector = provider.GetRequiredService<PrometheusCollector>();
        _ = provider.GetRequiredService<GatewayMetrics>();

        Assert.That(collector.Scrape(), Does.Contain("# TYPE gateway_pins_waiting gauge\ngateway_pins_waiting 0\n"));
    }

    [Test]
    public async Task Scrape_TwoHostsInOneProcess_EachSeesOnlyItsOwnMeters()
    {
        await using var first = BuildProvider();
        await using var second = BuildProvider();
        // The host resolves the collector at start (TelemetryStartup); measurements before that are not seen.
        var collector = first.GetRequiredService<PrometheusCollector>();
        _ = second.GetRequiredService<PrometheusCollector>();
        first.GetRequiredService<GatewayMetrics>().RecordKuboRequest("first/only", 200, TimeSpan.Zero);
        second.GetRequiredService<GatewayMetrics>().RecordKuboRequest("second/only", 200, TimeSpan.Zero);

        var text = collector.Scrape();

        Assert.That(text, Does.Contain("first/only").And.Not.Contain("second/only"));
    }

    private static ServiceProvider BuildProvider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayAdmin(Options);
        return services.BuildServiceProvider();
    }
}
