using System.Diagnostics;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// The end-to-end check of <c>/metrics</c>: a real Prometheus server (Debian package
/// <c>prometheus</c>) scrapes the admin endpoint and is asked, through its HTTP API, what it stored.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private const string PrometheusPath = "/usr/bin/prometheus";

    [Test]
    public async Task Scrape_RealPrometheusServer_ReportsTargetUpAndOurGauges()
    {
        if (!File.Exists(PrometheusPath))
        {
            Assert.Ignore("NOTICE: prometheus server missing (" + PrometheusPath + "), real-scrape check skipped; run deploy/setup-test-env.sh");
        }

        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        await using var host = await AdminTestHost.StartAsync(new GatewayOptions
        {
            Underclusters = [new UnderclusterOptions { Name = "alpha", Url = alpha.Url }],
        });

        var work = Directory.CreateTempSubdirectory("cg-prometheus-");
        try
        {
            var config = Path.Combine(work.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(config, $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: gateway
                    static_configs:
                      - targets: ['{host.Url.Authority}']
                """);
            var apiPort = LoopbackPorts.Free();
            var start = new ProcessStartInfo(PrometheusPath,
            [
                "--config.file=" + config,
                "--storage.tsdb.path=" + Path.Combine(work.FullName, "data"),
                $"--web.listen-address=127.0.0.1:{apiPort}",
                "--log.level=warn",
            ])
            {
                WorkingDirectory = work.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var prometheus = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
            var log = prometheus.StandardError.ReadToEndAsync();
            try
            {
                using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
                var up = await QueryUntilAsync(api, "up{job=\"gateway\"}", "1");
                var undercluster = await QueryUntilAsync(api, "gateway_undercluster_up{undercluster=\"alpha\"}", "1");
                var build = await QueryUntilAsync(api, "gateway_build_info", "1");

                Assert.Multiple(() =>
                {
                    Assert.That(up, Is.EqualTo("1"), "target up");
                    Assert.That(undercluster, Is.EqualTo("1"), "gateway_undercluster_up");
                    Assert.That(build, Is.EqualTo("1"), "gateway_build_info");
                });
            }
            finally
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
                TestContext.Out.WriteLine("prometheus log:\n" + await log);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Instant query, repeated until it returns <paramref name="expected"/> or 30 s pass; returns the last value seen.</summary>
    private static async Task<string?> QueryUntilAsync(HttpClient api, string query, string expected)
    {
        var deadline = Stopwatch.StartNew();
        string? value = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var document = JsonDocument.Parse(await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
                var result = document.RootElement.GetProperty("data").GetProperty("result");
                value = result.GetArrayLength() > 0 ? result[0].GetProperty("value")[1].GetString() : null;
                if (value == expected)
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return value;
    }

}
