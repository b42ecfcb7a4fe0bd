using System.Text.Json;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/grafana/composite-gateway.json parses, every panel has queries, every query names only documented
/// metric families and is valid PromQL (promtool, as recording rules), and the operator's questions are covered.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private static readonly string DashboardFile = Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "composite-gateway.json");

    [Test]
    public void Dashboard_EveryQueryNamesDocumentedMetricFamilies()
    {
        var queries = Queries();
        Assert.That(queries, Has.Count.GreaterThanOrEqualTo(15));
        Assert.Multiple(() =>
        {
            foreach (var (panel, expr) in queries)
            {
                var named = MetricFamilies.NamedIn(expr).ToList();
                Assert.That(named, Is.Not.Empty, $"{panel}: {expr}");
                Assert.That(named, Is.SubsetOf(MetricFamilies.Documented), $"{panel}: {expr}");
            }
        });
    }

    [Test]
    public void Dashboard_AnswersTheOperatorsQuestions()
    {
        var named = Queries().SelectMany(q => MetricFamilies.NamedIn(q.Expr)).ToHashSet();
        Assert.That(named, Is.SupersetOf(new[]
        {
            "gateway_undercluster_up", "gateway_undercluster_circuit_open", "gateway_undercluster_inception", // undercluster health
            "gateway_pin_wait_duration_seconds", "gateway_pin_waits_total",                                   // pin wait latency and outcomes
            "gateway_pins_waiting",                                                                           // in-flight waits
            "gateway_kubo_requests_total", "gateway_kubo_errors_total",                                       // request rates and errors by kind
            "gateway_undercluster_free_space_bytes",                                                          // free space per undercluster
        }));
    }

    [Test]
    public void Dashboard_PanelsHaveTargetsAndUniqueIds()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        var panels = document.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(document.RootElement.GetProperty("uid").GetString(), Is.EqualTo("composite-gateway"));
            Assert.That(panels.Select(p => p.GetProperty("id").GetInt32()), Is.Unique);
            foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
            {
                Assert.That(panel.GetProperty("targets").GetArrayLength(), Is.Positive, panel.GetProperty("title").GetString());
            }
        });
    }

    /// <summary>Grafana's variables replaced by what they stand for, each query checked by promtool as a recording rule.</summary>
    [Test]
    public async Task Dashboard_EveryQueryIsValidPromQl()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var file = Path.Combine(Path.GetTempPath(), "cg-dashboard-" + Guid.NewGuid().ToString("N")[..8] + ".yml");
        var rules = Queries().Select((q, i) =>
            $"      - record: dashboard:query_{i}\n        expr: {JsonSerializer.Serialize(q.Expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal))}\n");
        await File.WriteAllTextAsync(file, "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(rules));
        try
        {
            var result = await ExternalTool.RunAsync(promtool, ["check", "rules", file]);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<(string Panel, string Expr)> Queries()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        var queries = new List<(string, string)>();
        foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    queries.Add((panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!));
                }
            }
        }

        return queries;
    }
}
