using CompositeGateway.Admin;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>The exposition as prometheus-net renders this host's registry: names, labels, escapes, buckets, lint.</summary>
public sealed class GatewayMetricsTests
{
    private static readonly GatewayOptions Options = new()
    {
        Underclusters =
        [
            new UnderclusterOptions { Name = "eu-west", Url = new Uri("http://127.0.0.1:9094") },
            new UnderclusterOptions { Name = "us \"east\"\\n", Url = new Uri("http://127.0.0.1:9095") },
        ],
    };

    [Test]
    public async Task Scrape_EveryGatewayAndProcessMetric_PassesPromtoolLint()
    {
        await using var provider = BuildProvider();
        var metrics = Resolve(provider);
        var health = provider.GetRequiredService<UnderclusterHealth>();
        health.RecordSuccess("eu-west", "12D3KooWfake");
        health.RecordFreeSpace("eu-west", 1 << 30);
        metrics.RecordKuboRequest("pin/add", 200, TimeSpan.FromMilliseconds(12));
        metrics.RecordKuboRequest("pin/ls", 500, TimeSpan.FromSeconds(2));
        metrics.RecordKuboError("pin/ls", KuboErrorKinds.NotPinned);
        metrics.RecordUnderclusterRequest("eu-west", "success", TimeSpan.FromMilliseconds(40));
        metrics.RecordProbe("eu-west", "success");
        metrics.PinWaitStarted("eu-west");
        metrics.PinWaitStarted("eu-west");
        metrics.PinWaitEnded("eu-west", PinWaitOutcomes.Pinned, TimeSpan.FromSeconds(3));

        var text = await Exposition.RenderAsync(metrics.Registry);
        var result = await Promtool.CheckMetricsAsync(text);

        Assert.That(result.ExitCode, Is.Zero, result + "\n" + text);
        Assert.That(result.Stdout + result.Stderr, Is.Empty, result + "\n" + text);
    }

    [Test]
    public async Task Scrape_AfterRecording_ExposesDocumentedFamilies()
    {
        await using var provider = BuildProvider();
        var metrics = Resolve(provider);
        provider.GetRequiredService<UnderclusterHealth>().RecordSuccess("eu-west", "12D3KooWfake");
        metrics.RecordKuboRequest("pin/add", 200, TimeSpan.FromMilliseconds(12));
        metrics.PinWaitStarted("eu-west");
        metrics.PinWaitStarted("eu-west");
        metrics.PinWaitEnded("eu-west", PinWaitOutcomes.WaitLimit, TimeSpan.FromMinutes(90));

        var text = await Exposition.RenderAsync(metrics.Registry);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("# HELP gateway_kubo_requests_total Kubo RPC requests answered to the overcluster peer, by command (e.g. pin/add) and HTTP status code.\n# TYPE gateway_kubo_requests_total counter\n"));
            Assert.That(text, Does.Contain("gateway_kubo_requests_total{command=\"pin/add\",code=\"200\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_kubo_request_duration_seconds_bucket{command=\"pin/add\",le=\"0.025\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_kubo_request_duration_seconds_bucket{command=\"pin/add\",le=\"0.01\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_kubo_request_duration_seconds_bucket{command=\"pin/add\",le=\"60\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"eu-west\"} 1\n"));
            // Label values escape backslash and double quote as the text format requires.
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"us \\\"east\\\"\\\\n\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_circuit_open{undercluster=\"eu-west\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_pins_waiting{undercluster=\"eu-west\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_pin_waits_total{undercluster=\"eu-west\",outcome=\"wait_limit\"} 1\n"));
            // Buckets reach the default wait_limit (1 h): a 90 min wait lands in +Inf only.
            Assert.That(text, Does.Contain("gateway_pin_wait_duration_seconds_bucket{undercluster=\"eu-west\",le=\"3600\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_pin_wait_duration_seconds_bucket{undercluster=\"eu-west\",le=\"+Inf\"} 1\n"));
            Assert.That(text, Does.Contain($"gateway_build_info{{version=\"{ProductInfo.Version}\"}} 1\n"));
            Assert.That(text, Does.Contain("# TYPE process_cpu_seconds_total counter\n"));
            Assert.That(text, Does.Match(@"\nprocess_resident_memory_bytes [1-9]\d*\n"));
            Assert.That(text, Does.Match(@"\nprocess_start_time_seconds 1[7-9]\d{8}(\.\d+)?\n"));
            Assert.That(text, Does.Match(@"\nprocess_open_fds [1-9]\d*\n"));
            Assert.That(text, Does.Match(@"\ndotnet_gc_heap_size_bytes \d+\n"));
            Assert.That(text, Does.Match("\ndotnet_gc_collections_total{generation=\"0\"} \\d+\n"));
        });
    }

    [Test]
    public void PinWaitBuckets_WaitLimitBeyondTheLastBucket_IsAddedAsABucket()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GatewayMetrics.PinWaitBuckets(TimeSpan.FromHours(3))[^1], Is.EqualTo(10800));
            Assert.That(GatewayMetrics.PinWaitBuckets(TimeSpan.FromHours(1))[^1], Is.EqualTo(3600));
            Assert.That(GatewayMetrics.PinWaitBuckets(TimeSpan.Zero)[^1], Is.EqualTo(3600));
        });
    }

    [Test]
    public async Task Scrape_BeforeAnyPin_PinsWaitingReadsZeroPerUndercluster()
    {
        await using var provider = BuildProvider();
        var text = await Exposition.RenderAsync(Resolve(provider).Registry);

        Assert.That(text, Does.Contain("# TYPE gateway_pins_waiting gauge\ngateway_pins_waiting{undercluster=\"eu-west\"} 0\n"));
    }

    [Test]
    public async Task Scrape_TwoHostsInOneProcess_EachSeesOnlyItsOwnMetrics()
    {
        await using var first = BuildProvider();
        await using var second = BuildProvider();
        Resolve(first).RecordKuboRequest("first/only", 200, TimeSpan.Zero);
        Resolve(second).RecordKuboRequest("second/only", 200, TimeSpan.Zero);

        var text = await Exposition.RenderAsync(Resolve(first).Registry);

        Assert.That(text, Does.Contain("first/only").And.Not.Contain("second/only"));
    }

    // As the host does at start (TelemetryStartup): every family exists before the first scrape.
    private static GatewayMetrics Resolve(IServiceProvider provider)
    {
        _ = provider.GetRequiredService<ProcessMetrics>();
        _ = provider.GetRequiredService<UnderclusterHealth>();
        return provider.GetRequiredService<GatewayMetrics>();
    }

    private static ServiceProvider BuildProvider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayAdmin(Options);
        return services.BuildServiceProvider();
    }
}
