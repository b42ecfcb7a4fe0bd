using CompositeGateway.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/prometheus: the alert rules pass <c>promtool check rules</c> and their unit tests
/// (<c>promtool test rules</c>, deploy/prometheus/alerts.test.yml), every prometheus.yml in deploy/ passes
/// <c>promtool check config</c>, and the rules name only documented metric families.
/// </summary>
public sealed class PrometheusRulesTests
{
    private static string Folder => Path.Combine(RepositoryPaths.Root, "deploy", "prometheus");

    [Test]
    public async Task AlertRules_PromtoolCheckRules_Succeeds()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var result = await ExternalTool.RunAsync(promtool, ["check", "rules", "alerts.yml"], Folder);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("SUCCESS: 9 rules found"));
    }

    [Test]
    public async Task AlertRules_PromtoolUnitTests_Pass()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var result = await ExternalTool.RunAsync(promtool, ["test", "rules", "alerts.test.yml"], Folder);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout + result.Stderr, Does.Contain("SUCCESS"));
    }

    [Test]
    public void AlertRules_EveryAlertHasAUnitTestThatExpectsItToFire()
    {
        var alerts = Rules().Select(r => Scalar(r, "alert")).ToList();
        var tested = Load(Path.Combine(Folder, "alerts.test.yml"))["tests"].AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey("exp_alerts") && ((YamlSequenceNode)n["exp_alerts"]).Children.Count > 0)
            .Select(n => Scalar(n, "alertname"))
            .ToHashSet();
        Assert.That(alerts, Is.SubsetOf(tested));
        Assert.That(alerts, Is.SupersetOf(new[]
        {
            "GatewayUnderclusterDown", "GatewayInception", "GatewayPinsFailing", "GatewayPinWaitsPilingUp",
            "GatewayRepoStatLeavesUnderclusterOut", "GatewayUnderclusterLatencyHigh", "GatewayKuboLatencyHigh",
        }));
    }

    [Test]
    public void AlertRules_NameOnlyDocumentedMetricFamilies()
    {
        var named = Rules().SelectMany(r => MetricFamilies.NamedIn(Scalar(r, "expr"))).ToHashSet();
        Assert.That(named, Is.Not.Empty);
        Assert.That(named, Is.SubsetOf(MetricFamilies.Documented));
    }

    /// <summary>Every prometheus.yml under deploy/, with the rules file it names placed next to it as Compose mounts it.</summary>
    [Test]
    public async Task EveryPrometheusYml_PromtoolCheckConfig_Succeeds()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var files = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy"), "prometheus.yml", SearchOption.AllDirectories);
        Assert.That(files, Has.Length.GreaterThanOrEqualTo(4));
        foreach (var file in files)
        {
            var folder = Path.Combine(Path.GetTempPath(), "cg-prom-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            try
            {
                File.Copy(file, Path.Combine(folder, "prometheus.yml"));
                File.Copy(Path.Combine(Folder, "alerts.yml"), Path.Combine(folder, "alerts.yml"));
                var result = await ExternalTool.RunAsync(promtool, ["check", "config", "prometheus.yml"], folder);
                Assert.That(result.ExitCode, Is.Zero, file + ": " + result);
                Assert.That(result.Stdout, Does.Contain("SUCCESS: 9 rules found"), file);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    internal static IEnumerable<YamlMappingNode> Rules() =>
        ((YamlSequenceNode)Load(Path.Combine(Folder, "alerts.yml"))["groups"]).Children
            .SelectMany(g => ((YamlSequenceNode)((YamlMappingNode)g)["rules"]).Children.Cast<YamlMappingNode>());

    internal static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
