using System.Text.Json.Nodes;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Lab;

/// <summary>
/// Proof of wire fidelity: the real third-party client <c>@nftstorage/ipfs-cluster@5.0.1</c> drives
/// the emulator and must understand every answer.
/// </summary>
public sealed class JsClusterClientTests
{
    private const string Cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    [Test]
    public async Task NftStorageClient_RoundTrip_ParsesEveryAnswer()
    {
        NodeClients.RequireInstalled();
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 3 }, fakeClock: false);
        var script = $$"""
            (async () => {
              const { Cluster } = await import('@nftstorage/ipfs-cluster')
              const cluster = new Cluster('{{lab.Cluster.BaseAddress}}')
              const out = {}
              out.version = await cluster.version()
              out.info = await cluster.info()
              out.peers = await cluster.peerList()
              out.pin = await cluster.pin('{{Cid}}', { name: 'js-pin', replicationFactorMin: 1, replicationFactorMax: 2, metadata: { owner: 'js', 'k w': 'v&x' } })
              out.status = await cluster.status('{{Cid}}')
              out.allocation = await cluster.allocation('{{Cid}}')
              out.metricNames = await cluster.metricNames()
              out.recover = await cluster.recover('{{Cid}}')
              out.statusAll = await cluster.statusAll()
              out.unpin = await cluster.unpin('{{Cid}}')
              try { await cluster.allocation('{{Cid}}'); out.afterUnpin = 'still there' } catch (e) { out.afterUnpin = e.message }
              const Hash = require('ipfs-only-hash')
              out.added = await cluster.add(new File(['hello world\n'], 'hello.txt'), { name: 'js-add', metadata: { via: 'add' } })
              out.expectedAdded = await Hash.of('hello world\n', { cidVersion: 1, rawLeaves: true })
              out.addedStatus = await cluster.status(out.added.cid)
              out.directory = await cluster.addDirectory([new File(['a\n'], 'a.txt'), new File(['b\n'], 'b.txt')])
              console.log(JSON.stringify(out))
            })().catch(e => { console.error(e); process.exit(1) })
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var json = JsonNode.Parse(result.Stdout)!;
        var allocations = json["pin"]!["allocations"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(json["version"]!.GetValue<string>(), Is.EqualTo("1.1.6"));
            Assert.That(json["info"]!["id"]!.GetValue<string>(), Is.EqualTo(lab.Peer(0)));
            Assert.That(json["info"]!["peerName"]!.GetValue<string>(), Is.EqualTo(lab.Cluster.Peers[0].Name));
            Assert.That(json["info"]!["ipfs"]!["id"]!.GetValue<string>(), Is.EqualTo(lab.Cluster.Peers[0].IpfsId));
            Assert.That(json["peers"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()), Is.EquivalentTo(lab.Cluster.Peers.Select(p => p.Id)));
            Assert.That(json["pin"]!["name"]!.GetValue<string>(), Is.EqualTo("js-pin"));
            Assert.That(json["pin"]!["replicationFactorMin"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(json["pin"]!["replicationFactorMax"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(json["pin"]!["metadata"]!["k w"]!.GetValue<string>(), Is.EqualTo("v&x"));
            Assert.That(allocations, Has.Count.EqualTo(2));
            Assert.That(json["status"]!["cid"]!.GetValue<string>(), Is.EqualTo(Cid));
            Assert.That(json["status"]!["peerMap"]!.AsObject().Select(p => p.Value!["status"]!.GetValue<string>()).Order(), Is.EqualTo(new[] { "pinned", "pinned", "remote" }));
            Assert.That(json["status"]!["peerMap"]![allocations[0]]!["ipfsPeerId"]!.GetValue<string>(), Does.StartWith("12D3KooW"));
            Assert.That(json["allocation"]!["allocations"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(allocations));
            Assert.That(json["allocation"]!["metadata"]!["owner"]!.GetValue<string>(), Is.EqualTo("js"));
            Assert.That(json["metricNames"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(LabMetrics.Names));
            Assert.That(json["recover"]!["cid"]!.GetValue<string>(), Is.EqualTo(Cid));
            Assert.That(json["statusAll"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(json["unpin"]!["cid"]!.GetValue<string>(), Is.EqualTo(Cid));
            Assert.That(json["afterUnpin"]!.GetValue<string>(), Does.StartWith("404"));
            Assert.That(json["added"]!["name"]!.GetValue<string>(), Is.EqualTo("hello.txt"));
            Assert.That(json["added"]!["cid"]!.GetValue<string>(), Is.EqualTo(json["expectedAdded"]!.GetValue<string>()));
            Assert.That(json["added"]!["size"]!.GetValue<long>(), Is.EqualTo(12));
            Assert.That(json["addedStatus"]!["name"]!.GetValue<string>(), Is.EqualTo("js-add"));
            Assert.That(json["directory"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "a.txt", "b.txt", "" }));
            Assert.That(lab.State.Store.Count, Is.EqualTo(2), "the added file and the wrapped directory");
        });
    }
}
