using System.Diagnostics;
using CompositeGateway.Cli;
using CompositeGateway.Lab.Topology;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Lab;

/// <summary><c>composite-gateway lab up</c>: prints addresses and a Mermaid picture, stops cleanly on SIGTERM and Ctrl-C; topology files.</summary>
public sealed class LabUpCommandTests
{
    [TestCase("TERM")]
    [TestCase("INT")]
    public async Task LabUp_Signal_PrintsTheTopologyThenExitsCleanly(string signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Ignore("POSIX signals only");
        }

        var dll = Path.Combine(RepositoryPaths.Root, "Gateway", "bin", "Release", "net10.0", "composite-gateway.dll");
        if (!File.Exists(dll))
        {
            Assert.Ignore("NOTICE: build the solution in Release first (" + dll + " missing)");
        }

        var start = new ProcessStartInfo("dotnet", [dll, "--log-level", "warning", "lab", "up", "cylinder"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(ready.Token) is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("running", StringComparison.Ordinal))
                {
                    break;
                }
            }

            var text = string.Join('\n', lines);
            Assert.That(text, Does.Contain("cluster over").And.Contain("gateway gw-0").And.Contain("Kubo RPC http://127.0.0.1:").And.Contain("flowchart TB"));
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(exit.Token);
            Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Test]
    public void TopologyFile_ClustersPeersGateways_Loaded()
    {
        var path = Path.Combine(Path.GetTempPath(), $"topology-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            clusters:
              - name: over
                peers: [gw-x, ~]
              - name: under-x
                peers: 2
            gateways:
              - name: gw-x
                undercluster: under-x
            """);
        try
        {
            var errors = new List<string>();
            var topology = LabTopologyFile.Load(path, errors)!;

            Assert.That(errors, Is.Empty);
            Assert.That(topology.Validate(), Is.Empty);
            Assert.That(topology.Clusters[0].PeerDaemons, Is.EqualTo(new string?[] { "gw-x", null }));
            Assert.That(topology.Clusters[1].Peers, Is.EqualTo(2));
            Assert.That(topology.Gateways, Is.EqualTo(new[] { new TopologyGateway("gw-x", "under-x") }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Validate_UnknownGatewayAndCluster_EveryProblemNamed()
    {
        var topology = new LabTopology("bad", [new TopologyCluster("over", ["gw-missing"])], [new TopologyGateway("gw", "nowhere")]);

        Assert.That(topology.Validate(), Is.EquivalentTo(new[]
        {
            "clusters.over: peer daemon 'gw-missing' is not a gateway of this topology",
            "gateways.gw: undercluster 'nowhere' is not a cluster of this topology",
        }));
    }
}
