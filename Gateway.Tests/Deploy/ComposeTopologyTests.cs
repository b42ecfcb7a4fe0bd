using System.Text.RegularExpressions;
using CompositeGateway.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/docker/*/compose.yaml: <c>docker-compose config</c> accepts each file (a Compose implementation's own
/// validation, offline), and the wiring that makes a topology work is checked on the parsed file: official images,
/// every overcluster peer's IPFS daemon is a gateway, every gateway reaches only clusters on its networks, one
/// secret per cluster, config and key volumes, Prometheus scraping every gateway with the alert rules mounted.
/// </summary>
public sealed partial class ComposeTopologyTests
{
    public static IEnumerable<TestCaseData> Topologies() =>
        Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "deploy", "docker"))
            .Where(d => File.Exists(Path.Combine(d, "compose.yaml")))
            .Order(StringComparer.Ordinal)
            .Select(d => new TestCaseData(Path.GetFileName(d)).SetArgDisplayNames(Path.GetFileName(d)));

    [Test]
    public void Topologies_TheThreeAskedFor_EachWithAReadme()
    {
        var names = Topologies().Select(t => (string)t.Arguments[0]!).ToList();
        Assert.That(names, Is.EquivalentTo(new[] { "inverse-multi-ring", "multi-ring", "several-underclusters" }));
        Assert.That(names.Select(n => Path.Combine(RepositoryPaths.Root, "deploy", "docker", n, "README.md")), Has.All.Exist);
    }

    [TestCaseSource(nameof(Topologies))]
    public async Task ComposeFile_DockerComposeConfig_Accepts(string topology)
    {
        var compose = ExternalTool.Require("docker-compose", "docker-compose");
        var folder = Path.Combine(RepositoryPaths.Root, "deploy", "docker", topology);
        var result = await ExternalTool.RunAsync(compose, ["--file", "compose.yaml", "config", "--quiet"], folder);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Not.Contain("WARN").IgnoreCase, "unset variables and deprecated keys are warnings");
    }

    [TestCaseSource(nameof(Topologies))]
    public void ComposeFile_WiresOverclusterPeersThroughGatewaysOntoUnderclusters(string topology)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "deploy", "docker", topology);
        var services = (YamlMappingNode)PrometheusRulesTests.Load(Path.Combine(folder, "compose.yaml"))["services"];
        var byName = services.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => (YamlMappingNode)s.Value);
        var gateways = byName.Where(s => Image(s.Value) == "composite-gateway:dev").Select(s => s.Key).ToList();
        var peers = byName.Where(s => Image(s.Value) == "ipfs/ipfs-cluster:latest").ToDictionary(s => s.Key, s => s.Value);

        Assert.That(gateways, Is.Not.Empty);
        Assert.That(byName.Values.Select(Image).Where(i => i is not null), Has.All.AnyOf("composite-gateway:dev", "ipfs/ipfs-cluster:latest", "ipfs/kubo:release", "prom/prometheus:latest"));
        Assert.Multiple(() =>
        {
            foreach (var (name, peer) in peers)
            {
                var env = Environment(peer);
                var daemon = DnsHost().Match(env["CLUSTER_IPFSHTTP_NODEMULTIADDRESS"]).Groups[1].Value;
                Assert.That(byName.ContainsKey(daemon), Is.True, $"{name}: its IPFS daemon {daemon} is a service");
                Assert.That(Networks(byName[daemon]).Intersect(Networks(peer)), Is.Not.Empty, $"{name} reaches its daemon {daemon}");
                Assert.That(Secret().IsMatch(env["CLUSTER_SECRET"]), Is.True, $"{name}: CLUSTER_SECRET is 32 bytes of hex");
                Assert.That(env["CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS"], Is.EqualTo("/ip4/0.0.0.0/tcp/9094"), $"{name}: REST API reachable by a gateway");
                if (gateways.Contains(daemon))
                {
                    Assert.That(Image(byName[daemon]), Is.EqualTo("composite-gateway:dev"));
                }
                else
                {
                    Assert.That(Image(byName[daemon]), Is.EqualTo("ipfs/kubo:release"), $"{name}: an undercluster peer's daemon is Kubo, never a gateway (inception)");
                }
            }

            // Peers sharing a secret are one cluster: on one network, and no peer of another cluster shares it.
            foreach (var cluster in peers.GroupBy(p => Environment(p.Value)["CLUSTER_SECRET"]))
            {
                Assert.That(cluster.Select(p => string.Join(",", Networks(p.Value))).Distinct().Count(), Is.EqualTo(1), "one network per cluster: " + string.Join(", ", cluster.Select(p => p.Key)));
            }

            var overPeers = peers.Where(p => gateways.Contains(DnsHost().Match(Environment(p.Value)["CLUSTER_IPFSHTTP_NODEMULTIADDRESS"]).Groups[1].Value)).ToList();
            Assert.That(overPeers, Is.Not.Empty, "some overcluster peer uses a gateway");
            Assert.That(overPeers.Select(p => Environment(p.Value)["CLUSTER_SECRET"]).Intersect(peers.Except(overPeers).Select(p => Environment(p.Value)["CLUSTER_SECRET"])), Is.Empty, "overclusters and underclusters never share a secret");

            foreach (var gateway in gateways)
            {
                var volumes = ((YamlSequenceNode)byName[gateway]["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();
                var config = volumes.Single(v => v.EndsWith(":/etc/composite-gateway/gateway.yaml:ro", StringComparison.Ordinal)).Split(':')[0];
                Assert.That(Path.Combine(folder, config), Does.Exist, $"{gateway}: config file");
                Assert.That(volumes, Has.One.Matches<string>(v => v is not null && v.EndsWith(":/var/lib/composite-gateway", StringComparison.Ordinal) && !v.StartsWith('.')), $"{gateway}: the key in a named volume");

                // Every undercluster url of the gateway's config names a cluster peer on one of its networks.
                foreach (Match url in UnderclusterHost().Matches(File.ReadAllText(Path.Combine(folder, config))))
                {
                    var host = url.Groups[2].Value;
                    Assert.That(byName.ContainsKey(host), Is.True, $"{gateway}: {url.Value} names a service");
                    Assert.That(Networks(byName[host]).Intersect(Networks(byName[gateway])), Is.Not.Empty, $"{gateway} reaches {host}");
                    Assert.That(Image(byName[host]), Is.EqualTo(url.Groups[1].Value == "url" ? "ipfs/ipfs-cluster:latest" : "ipfs/kubo:release"), $"{gateway}: {url.Value}");
                }
            }

            var prometheus = byName["prometheus"];
            var mounts = ((YamlSequenceNode)prometheus["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();
            Assert.That(mounts, Does.Contain("../../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"));
            var scrape = File.ReadAllText(Path.Combine(folder, "prometheus.yml"));
            foreach (var gateway in gateways)
            {
                Assert.That(scrape, Does.Contain($"\"{gateway}:9465\""), $"Prometheus scrapes {gateway}");
                Assert.That(Networks(prometheus).Intersect(Networks(byName[gateway])), Is.Not.Empty, $"Prometheus reaches {gateway}");
            }
        });
    }

    private static string? Image(YamlMappingNode service) =>
        service.Children.TryGetValue("image", out var image) ? ((YamlScalarNode)image).Value : Image((YamlMappingNode)service["<<"]);

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!,
            e => Default().Replace(((YamlScalarNode)e.Value).Value!, "$1"));

    private static string[] Networks(YamlMappingNode service) =>
        [.. ((YamlSequenceNode)service["networks"]).Children.Select(n => ((YamlScalarNode)n).Value!).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"^/dns4/([\w-]+)/tcp/5001$")]
    private static partial Regex DnsHost();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Secret();

    /// <summary><c>${VAR:-default}</c> → default.</summary>
    [GeneratedRegex(@"^\$\{\w+:-([^}]*)\}$")]
    private static partial Regex Default();

    [GeneratedRegex(@"(url|ipfs_api):\s*""?https?://([\w-]+):\d+")]
    private static partial Regex UnderclusterHost();
}
