using System.CommandLine;
using CompositeGateway.Cli;
using CompositeGateway.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/kubernetes: every overlay renders with <c>kubectl kustomize</c> (offline), and the rendered objects carry
/// what matters: 2 replicas, /health liveness and /ready readiness on the admin port, resources, read-only root
/// filesystem, non-root, a PodDisruptionBudget and a Service selecting the pods, the key from a Secret generated from the operator's own file (no render without it), a
/// gateway.yaml that passes check-config, a ServiceMonitor and the alert rules as a PrometheusRule.
/// No schema validator (kubeconform) is packaged for Debian; the fields are checked here instead.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Root = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    public static IEnumerable<TestCaseData> Overlays() =>
        Directory.GetDirectories(Path.Combine(Root, "overlays")).Order(StringComparer.Ordinal)
            .Select(d => new TestCaseData(Path.GetFileName(d)).SetArgDisplayNames(Path.GetFileName(d)));

    [Test]
    public void Overlays_OnePerTopology() =>
        Assert.That(Overlays().Select(o => (string)o.Arguments[0]!), Is.EquivalentTo(new[] { "cylinder", "inverse-multi-ring", "multi-ring", "several-underclusters" }));

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_KubectlKustomize_RendersAGatewayThatCanRunAsIs(string overlay)
    {
        var kubectl = ExternalTool.Require("kubectl", "kubernetes-client");
        // labels/includeSelectors and components need kustomize 4+ (kubectl 1.21+); Debian 12's kubectl 1.20 has 2.0.
        var version = await ExternalTool.RunAsync(kubectl, ["version", "--client"]);
        if (!version.Stdout.Contains("Kustomize Version: v5", StringComparison.Ordinal) && !version.Stdout.Contains("Kustomize Version: v4", StringComparison.Ordinal))
        {
            Assert.Ignore("NOTICE: kubectl with kustomize 4+ needed to render the overlays (found: " + version.Stdout.Trim() + "); render check skipped");
        }

        // The operator's two secret files, which are never in the repository, in a copy of the tree.
        var tree = Path.Combine(Path.GetTempPath(), "cg-kustomize-" + Guid.NewGuid().ToString("N")[..8]);
        ToolResult result;
        try
        {
            CopyTree(Root, tree);
            var missing = await ExternalTool.RunAsync(kubectl, ["kustomize", Path.Combine(tree, "overlays", overlay)]);
            Assert.That(missing.ExitCode, Is.Not.Zero, "no render without the identity key");
            await File.WriteAllTextAsync(Path.Combine(tree, "overlays", overlay, "identity.key"), "# key\nCAESQA==\n");
            await File.WriteAllTextAsync(Path.Combine(tree, "overlays", overlay, "undercluster-password"), "");
            result = await ExternalTool.RunAsync(kubectl, ["kustomize", Path.Combine(tree, "overlays", overlay)]);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var objects = new YamlStream();
        objects.Load(new StringReader(result.Stdout));
        var byKind = objects.Documents.Select(d => (YamlMappingNode)d.RootNode).ToLookup(o => Text(o, "kind"));

        var deployment = byKind["Deployment"].Single();
        var pod = Map(deployment, "spec", "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children.Single();
        var podLabels = Map(deployment, "spec", "template", "metadata", "labels");
        Assert.Multiple(() =>
        {
            Assert.That(Text(deployment, "spec", "replicas"), Is.EqualTo("2"));
            Assert.That(Text(container, "livenessProbe", "httpGet", "path"), Is.EqualTo("/health"));
            Assert.That(Text(container, "readinessProbe", "httpGet", "path"), Is.EqualTo("/ready"));
            Assert.That(Text(container, "livenessProbe", "httpGet", "port"), Is.EqualTo("admin"));
            Assert.That(Text(container, "securityContext", "readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(Text(container, "securityContext", "allowPrivilegeEscalation"), Is.EqualTo("false"));
            Assert.That(Text(pod, "securityContext", "runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(Map(container, "resources", "requests").Children.Keys.Select(k => k.ToString()), Is.EquivalentTo(new[] { "cpu", "memory" }));
            Assert.That(Text(container, "resources", "limits", "memory"), Is.Not.Empty);
            Assert.That(((YamlSequenceNode)container["ports"]).Children.Select(p => Text((YamlMappingNode)p, "containerPort")), Is.EquivalentTo(new[] { "5001", "9465" }));

            var pdb = byKind["PodDisruptionBudget"].Single();
            Assert.That(Matches(Map(pdb, "spec", "selector", "matchLabels"), podLabels), Is.True, "the PDB selects the gateway pods");
            var service = byKind["Service"].Single();
            Assert.That(Matches(Map(service, "spec", "selector"), podLabels), Is.True, "the Service selects the gateway pods");

            // The names kustomize gave the ConfigMap and the Secret are the ones the pod mounts.
            var volumes = ((YamlSequenceNode)pod["volumes"]).Children.Cast<YamlMappingNode>().ToDictionary(v => Text(v, "name"));
            var secret = byKind["Secret"].Single();
            Assert.That(Text(volumes["identity"], "secret", "secretName"), Is.EqualTo(Text(secret, "metadata", "name")));
            Assert.That(Map(secret, "data").Children.Keys.Select(k => k.ToString()), Is.EquivalentTo(new[] { "identity.key", "undercluster-password" }));
            var configMap = byKind["ConfigMap"].Single();
            Assert.That(Text(volumes["config"], "configMap", "name"), Is.EqualTo(Text(configMap, "metadata", "name")));
            Assert.That(((YamlSequenceNode)container["volumeMounts"]).Children.Select(m => Text((YamlMappingNode)m, "mountPath")),
                Is.EquivalentTo(new[] { "/etc/composite-gateway", "/var/lib/composite-gateway", "/tmp" }));

            Assert.That(byKind["ServiceMonitor"].Count(), Is.EqualTo(1));
            Assert.That(Text(byKind["ServiceMonitor"].Single(), "spec", "jobLabel"), Is.EqualTo("app.kubernetes.io/name"), "job=\"composite-gateway\", as the alert rules expect");
        });

        // The rendered gateway.yaml, as the pod reads it, passes check-config.
        var folder = Path.Combine(Path.GetTempPath(), "cg-k8s-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var config = Path.Combine(folder, "gateway.yaml");
            await File.WriteAllTextAsync(config, Text(byKind["ConfigMap"].Single(), "data", "gateway.yaml"));
            var error = new StringWriter();
            var exit = await GatewayCommandLine.InvokeAsync(
                ["check-config", "--config", config],
                new InvocationConfiguration { Output = new StringWriter(), Error = error },
                new Dictionary<string, string> { ["UNDERCLUSTER_PASSWORD"] = "x", ["COMPOSITE_GATEWAY_IDENTITY_FILE"] = Path.Combine(folder, "identity.key") });
            Assert.That(exit, Is.Zero, error.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void PrometheusRule_HoldsExactlyTheRulesOfAlertsYml()
    {
        var rule = PrometheusRulesTests.Load(Path.Combine(Root, "components", "prometheus-operator", "prometheusrule.yaml"));
        var alerts = PrometheusRulesTests.Load(Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "alerts.yml"));
        Assert.That(Serialize(((YamlMappingNode)rule["spec"])["groups"]), Is.EqualTo(Serialize(alerts["groups"])),
            "deploy/prometheus/alerts.yml changed: copy its groups into prometheusrule.yaml");
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Serialize(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static bool Matches(YamlMappingNode selector, YamlMappingNode labels) =>
        selector.Children.All(s => labels.Children.TryGetValue(s.Key, out var value) && value.ToString() == s.Value.ToString());

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => (YamlMappingNode)n[key]);

    private static string Text(YamlMappingNode node, params string[] path) =>
        ((YamlScalarNode)Map(node, path[..^1])[path[^1]]).Value!;
}
