using System.CommandLine;
using CompositeGateway.Cli;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Cli;

/// <summary><c>composite-gateway topology</c> against an emulated undercluster and an unreachable one, as text and as Mermaid.</summary>
public sealed class TopologyCommandTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-topology-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Topology_TextAndMermaid_ShowPeersAndTheUnreachableUndercluster()
    {
        await using var eu = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "eu", Peers = 2, RandomSeed = 41 }, TimeProvider.System, CancellationToken.None);
        var gone = FakeUndercluster.UnusedUrl();
        var path = Path.Combine(folder, "gateway.yaml");
        await File.WriteAllTextAsync(path, $"""
            underclusters:
              - name: eu
                url: {eu.BaseAddress}
              - name: gone
                url: {gone}
            """);

        var (exit, text, error) = await RunAsync("topology", "--config", path);
        var (mermaidExit, mermaid, _) = await RunAsync("topology", "--config", path, "--format", "mermaid");
        var (badExit, _, badError) = await RunAsync("topology", "--config", path, "--depth", "9");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, error);
            Assert.That(error, Does.Contain("loops back to this gateway cannot be recognised"), "no identity file yet");
            Assert.That(text, Does.Contain($"undercluster eu {eu.BaseAddress}: reachable"));
            foreach (var peer in eu.Peers)
            {
                Assert.That(text, Does.Contain($"    peer {peer.Id} ({peer.Name}) ipfs {peer.IpfsId}: unknown"));
            }

            Assert.That(text, Does.Contain($"undercluster gone {gone}: unreachable (connect: connection refused ({gone.Authority}))"));
            Assert.That(mermaidExit, Is.Zero);
            Assert.That(mermaid, Does.StartWith("flowchart TD\n"));
            Assert.That(mermaid, Does.Contain("gw --> u0").And.Contain("u0 --> u0p1").And.Contain("class u1 unreachable"));
            Assert.That(badExit, Is.EqualTo(ExitCodes.Usage));
            Assert.That(badError, Does.Contain("--depth must be 1 to 3"));
        });
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await GatewayCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error }, new Dictionary<string, string>());
        return (exit, output.ToString(), error.ToString());
    }
}
