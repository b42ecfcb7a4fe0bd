using System.CommandLine;
using System.Text.RegularExpressions;
using CompositeGateway.Cli;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// Every gateway.yaml shipped under deploy/ (the examples per topology, the Compose topologies' gateways and the
/// Kubernetes base and overlays) passes <c>check-config</c>, as an operator would run it.
/// </summary>
public sealed partial class ExampleConfigurationTests
{
    public static IEnumerable<TestCaseData> Files() =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith("gateway", StringComparison.Ordinal) || f.Contains($"{Path.DirectorySeparatorChar}examples{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetRelativePath(RepositoryPaths.Root, f)).SetArgDisplayNames(Path.GetRelativePath(RepositoryPaths.Root, f)));

    [Test]
    public void Examples_OnePerTopologyAndPlacementPolicy()
    {
        var examples = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy", "examples"), "*.yaml").Select(Path.GetFileNameWithoutExtension);
        Assert.That(examples, Is.SupersetOf(new[] { "multi-ring", "cylinder", "inverse-multi-ring", "several-replicate", "several-spread", "several-failover" }));
        Assert.That(Files().Count(), Is.GreaterThanOrEqualTo(6 + 5 + 5));
    }

    [TestCaseSource(nameof(Files))]
    public async Task ShippedGatewayYaml_CheckConfig_Exit0(string relativePath)
    {
        var path = Path.Combine(RepositoryPaths.Root, relativePath);
        var text = await File.ReadAllTextAsync(path);
        // The secrets an example names by password_env are the operator's to provide.
        var environment = PasswordEnv().Matches(text).ToDictionary(m => m.Groups[1].Value, _ => "example-secret");
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await GatewayCommandLine.InvokeAsync(["check-config", "--config", path], new InvocationConfiguration { Output = output, Error = error }, environment);

        Assert.That(exit, Is.Zero, error.ToString());
        var effective = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(effective, Does.Contain("placement:\n  policy: "), "the whole effective configuration is printed");
            Assert.That(effective, Does.Not.Contain("example-secret"));
            if (PolicyLine().Match(text) is { Success: true } policy)
            {
                Assert.That(effective, Does.Contain("  policy: " + policy.Groups[1].Value));
            }

            foreach (Match weight in WeightLine().Matches(text))
            {
                Assert.That(effective, Does.Contain("    weight: " + weight.Groups[1].Value));
            }
        });
    }

    [GeneratedRegex(@"password_env:\s*(\w+)")]
    private static partial Regex PasswordEnv();

    [GeneratedRegex(@"(?m)^\s+policy:\s*(\w+)")]
    private static partial Regex PolicyLine();

    [GeneratedRegex(@"(?m)^\s+weight:\s*(\d+)")]
    private static partial Regex WeightLine();
}
