using System.Net;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Tests.KuboRpc;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// <c>GET /topology</c> on the admin listener, against emulated underclusters on real loopback listeners: both
/// underclusters with their peers, a peer whose daemon is this gateway marked as a loop, an unreachable undercluster
/// shown as such without waiting, a configured daemon that is another gateway recognised from its AgentVersion.
/// </summary>
public sealed class TopologyEndpointTests
{
    private static string Self => AdminTestHost.Identity.PeerId.ToString();

    [Test]
    public async Task Topology_TwoEmulatedUnderclusters_ListsBothWithTheirPeers()
    {
        await using var a = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "a", Peers = 3, RandomSeed = 31 }, TimeProvider.System, CancellationToken.None);
        await using var b = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "b", Peers = 2, RandomSeed = 32 }, TimeProvider.System, CancellationToken.None);
        await using var host = await AdminTestHost.StartAsync(Options(("a", a.BaseAddress, null), ("b", b.BaseAddress, null)));

        var body = await GetJsonAsync(host, "/topology");
        var mermaid = await host.Client.GetStringAsync("/topology?format=mermaid");
        var underclusters = body.GetProperty("underclusters");

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("gateway_peer_id").GetString(), Is.EqualTo(Self));
            Assert.That(body.GetProperty("loop").GetBoolean(), Is.False);
            Assert.That(underclusters.EnumerateArray().Select(u => u.GetProperty("name").GetString()), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(underclusters[0].GetProperty("status").GetString(), Is.EqualTo("reachable"));
            Assert.That(Ids(underclusters[0]), Is.EquivalentTo(a.Peers.Select(p => p.Id)));
            Assert.That(Ids(underclusters[1]), Is.EquivalentTo(b.Peers.Select(p => p.Id)));
            Assert.That(
                underclusters[1].GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("ipfs_id").GetString()),
                Is.EquivalentTo(b.Peers.Select(p => p.IpfsId)));
            Assert.That(
                underclusters[0].GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("daemon").GetString()),
                Is.All.EqualTo("unknown"), "no ipfs_api configured: nothing says what the daemons are");
            Assert.That(mermaid, Does.StartWith("flowchart TD\n"));
            Assert.That(mermaid, Does.Contain("gw --> u0").And.Contain("gw --> u1").And.Contain("u1 --> u1p1"));
            Assert.That(mermaid, Does.Contain(a.Peers[0].Name));
            Assert.That(mermaid, Does.Not.Contain("LOOP"));
        });
    }

    [Test]
    public async Task Topology_PeerDaemonIsThisGateway_MarkedAsLoop()
    {
        await using var looped = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "looped", Peers = 2, RandomSeed = 33 }, TimeProvider.System, CancellationToken.None);
        // As if peer 1's ipfshttp.node_multiaddress pointed at this gateway: /peers reports this gateway's ID as its daemon.
        looped.Peers[1].SetDaemonIdentity(Self, []);
        await using var host = await AdminTestHost.StartAsync(Options(("looped", looped.BaseAddress, null)), waitForFirstProbes: false);

        var body = await GetJsonAsync(host, "/topology");
        var peers = body.GetProperty("underclusters")[0].GetProperty("peers");
        var text = await host.Client.GetStringAsync("/topology?format=text");
        var mermaid = await host.Client.GetStringAsync("/topology?format=mermaid");

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("loop").GetBoolean(), Is.True);
            Assert.That(body.GetProperty("underclusters")[0].GetProperty("loop").GetBoolean(), Is.True);
            Assert.That(Daemon(peers, looped.Peers[1].Id), Is.EqualTo("this_gateway"));
            Assert.That(Daemon(peers, looped.Peers[0].Id), Is.EqualTo("unknown"));
            Assert.That(text, Does.Contain("LOOP: inception"));
            Assert.That(text, Does.Contain($"peer {looped.Peers[1].Id} ({looped.Peers[1].Name}) ipfs {Self}: THIS GATEWAY (loop: inception)"));
            Assert.That(mermaid, Does.Match(@"u0p\d -\. ""LOOP \(inception\)"" \.-> gw"));
            Assert.That(mermaid, Does.Contain("class u0p"));
        });
    }

    [Test]
    public async Task Topology_UnreachableUndercluster_ShownUnreachableWithoutWaiting()
    {
        await using var a = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "a", Peers = 1, RandomSeed = 34 }, TimeProvider.System, CancellationToken.None);
        var gone = FakeUndercluster.UnusedUrl();
        await using var host = await AdminTestHost.StartAsync(Options(("a", a.BaseAddress, null), ("gone", gone, null)), waitForFirstProbes: false);

        // A hang guard, not a timing assertion: a refused connection must not wait for any timeout.
        var body = await GetJsonAsync(host, "/topology").WaitAsync(TimeSpan.FromSeconds(30));
        var goneEntry = body.GetProperty("underclusters")[1];
        var text = await host.Client.GetStringAsync("/topology?format=text");

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("underclusters")[0].GetProperty("status").GetString(), Is.EqualTo("reachable"));
            Assert.That(goneEntry.GetProperty("status").GetString(), Is.EqualTo("unreachable"));
            Assert.That(goneEntry.GetProperty("error").GetString(), Is.EqualTo($"connect: connection refused ({gone.Authority})"));
            Assert.That(goneEntry.GetProperty("peers").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(text, Does.Contain($"undercluster gone {gone}: unreachable (connect: connection refused ({gone.Authority}))"));
        });
    }

    [Test]
    public async Task Topology_IpfsApiIsAnotherGateway_RecognisedFromAgentVersionAndItsPeerMarked()
    {
        await using var kubo = await KuboRpcTestHost.StartAsync();
        using var http = kubo.CreateClient();
        using var idAnswer = await http.PostAsync("/api/v0/id", null);
        using var id = JsonDocument.Parse(await idAnswer.Content.ReadAsStringAsync());
        var otherGateway = id.RootElement.GetProperty("ID").GetString()!;
        await using var over = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "over", Peers = 2, RandomSeed = 35 }, TimeProvider.System, CancellationToken.None);
        over.Peers[0].SetDaemonIdentity(otherGateway, []);
        await using var host = await AdminTestHost.StartAsync(Options(("over", over.BaseAddress, kubo.Address)), waitForFirstProbes: false);

        var entry = (await GetJsonAsync(host, "/topology")).GetProperty("underclusters")[0];
        var shallow = (await GetJsonAsync(host, "/topology?depth=1")).GetProperty("underclusters")[0];
        using var bad = await host.Client.GetAsync("/topology?format=svg");

        Assert.Multiple(() =>
        {
            Assert.That(entry.GetProperty("ipfs_api").GetProperty("kind").GetString(), Is.EqualTo("gateway"));
            Assert.That(entry.GetProperty("ipfs_api").GetProperty("agent_version").GetString(), Does.StartWith("composite-gateway/"));
            Assert.That(entry.GetProperty("ipfs_api").GetProperty("note").GetString(), Does.Contain("admin listener"));
            Assert.That(Daemon(entry.GetProperty("peers"), over.Peers[0].Id), Is.EqualTo("gateway"));
            Assert.That(Daemon(entry.GetProperty("peers"), over.Peers[1].Id), Is.EqualTo("unknown"));
            Assert.That(entry.GetProperty("loop").GetBoolean(), Is.False);
            Assert.That(shallow.GetProperty("peers").ValueKind, Is.EqualTo(JsonValueKind.Null), "depth 1: underclusters only");
            Assert.That(shallow.GetProperty("ipfs_api").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    private static string? Daemon(JsonElement peers, string id) =>
        peers.EnumerateArray().Single(p => p.GetProperty("id").GetString() == id).GetProperty("daemon").GetString();

    private static IEnumerable<string?> Ids(JsonElement undercluster) =>
        undercluster.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("id").GetString());

    private static GatewayOptions Options(params (string Name, Uri Url, Uri? IpfsApi)[] underclusters) => new()
    {
        Health = new HealthOptions { ProbeInterval = TimeSpan.FromSeconds(5), ReadyWithin = TimeSpan.FromSeconds(15) },
        Underclusters = [.. underclusters.Select(u => new UnderclusterOptions { Name = u.Name, Url = u.Url, IpfsApi = u.IpfsApi, Timeout = TimeSpan.FromSeconds(10) })],
    };

    private static async Task<JsonElement> GetJsonAsync(AdminTestHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
