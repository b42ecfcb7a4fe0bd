using System.Net;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class IdentityEndpointsTests
{
    [Test]
    public async Task Id_Answers_ContactedPeerWithIpfsAndClusterPeers()
    {
        await using var lab = await LabHarness.StartAsync();
        var id = await lab.GetObjectAsync("/id");
        var peer = lab.Cluster.Peers[0];

        Assert.Multiple(() =>
        {
            Assert.That(LabHarness.Keys(id), Is.EqualTo(new[]
            {
                "id", "addresses", "cluster_peers", "cluster_peers_addresses", "version", "commit", "rpc_protocol_version", "error", "ipfs", "peername",
            }));
            Assert.That(id["id"]!.GetValue<string>(), Is.EqualTo(peer.Id).And.StartsWith("12D3KooW"));
            Assert.That(id["version"]!.GetValue<string>(), Is.EqualTo("1.1.6"));
            Assert.That(id["rpc_protocol_version"]!.GetValue<string>(), Is.EqualTo("/ipfscluster/1.0/rpc"));
            Assert.That(id["cluster_peers"]!.AsArray(), Has.Count.EqualTo(3));
            Assert.That(id["ipfs"]!["id"]!.GetValue<string>(), Is.EqualTo(peer.IpfsId));
            Assert.That(id["ipfs"]!["addresses"]![0]!.GetValue<string>(), Is.EqualTo($"/ip4/127.0.0.1/tcp/4001/p2p/{peer.IpfsId}"));
            Assert.That(id["ipfs"]!["error"]!.GetValue<string>(), Is.Empty);
        });
    }

    [Test]
    public async Task Version_Answers_GoldenDocument()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync("/version");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo("{\"version\":\"1.1.6\"}\n"));
    }

    [Test]
    public async Task Peers_Stream_OnePerPeerWithEmptyTrailer()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 5 });
        var (response, items, trailer) = await lab.StreamAsync("/peers");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(items.Select(i => i["id"]!.GetValue<string>()), Is.EquivalentTo(lab.Cluster.Peers.Select(p => p.Id)));
            Assert.That(items.Select(i => i["ipfs"]!["id"]!.GetValue<string>()), Is.All.StartsWith("12D3KooW"));
            Assert.That(trailer, Is.EqualTo(new[] { "" }));
        });
    }

    [Test]
    public async Task Peers_PeerDown_ListedWithErrorOnly()
    {
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.SetPeerDown(1, true);
        var (_, items, _) = await lab.StreamAsync("/peers");
        var down = items.Single(i => i["id"]!.GetValue<string>() == lab.Peer(1));

        Assert.Multiple(() =>
        {
            Assert.That(down["error"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(down["peername"]!.GetValue<string>(), Is.Empty);
            Assert.That(down["ipfs"]!.AsObject().ContainsKey("id"), Is.False);
        });
    }

    [Test]
    public void PeerIds_Generated_DecodeAsEd25519IdentityMultihashes()
    {
        var id = LabPeerIds.Create(new Random(7));
        var bytes = SimpleBase.Base58.Bitcoin.Decode(id);

        Assert.Multiple(() =>
        {
            Assert.That(id, Does.StartWith("12D3KooW"));
            Assert.That(bytes, Has.Length.EqualTo(38));
            Assert.That(bytes[..6], Is.EqualTo(new byte[] { 0x00, 0x24, 0x08, 0x01, 0x12, 0x20 }));
            Assert.That(LabPeerIds.IsValid(id), Is.True);
        });
    }

    [Test]
    public async Task Health_WithAuthConfigured_Answers204WithoutCredentials()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { BasicAuth = new Dictionary<string, string> { ["u"] = "p" } });
        var (response, body) = await lab.GetAsync("/health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(body, Is.Empty);
    }

    [Test]
    public async Task HealthExtras_Answer200Json()
    {
        await using var lab = await LabHarness.StartAsync();
        var (alerts, alertsBody) = await lab.GetAsync("/health/alerts");
        var graph = await lab.GetObjectAsync("/health/graph");

        Assert.That(alerts.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(alertsBody, Is.EqualTo("[]\n"));
        Assert.That(graph["cluster_id"]!.GetValue<string>(), Is.EqualTo(lab.Peer(0)));
    }
}
