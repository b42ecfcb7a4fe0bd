using System.Text.Json;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>The real third-party client kubo-rpc-client@7.1.0 (Gateway.Tests/js) against the surface.</summary>
public sealed class KuboRpcClientTests
{
    [Test]
    public async Task KuboRpcClient_IdVersionPinsRepoStat_SeesTheGatewayValues()
    {
        NodeClients.RequireInstalled();
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Swarm.Addresses = ["/ip4/10.0.0.7/tcp/4001"];
        host.Space.Result = SpaceReportResult.Reported(52_428_800, 10_000_000_000);
        var existing = TestCids.V0("existing").ToString();
        var added = TestCids.V1("added").ToString();
        host.Pins.Add(existing, PinMode.Direct);

        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{host.Address}}api/v0' });
              const out = {};
              const id = await ipfs.id();
              out.id = id.id.toString();
              out.addresses = id.addresses.map(a => a.toString());
              out.agentVersion = id.agentVersion;
              out.version = (await ipfs.version()).version;
              out.added = (await ipfs.pin.add('{{added}}')).toString();
              out.all = [];
              for await (const pin of ipfs.pin.ls()) { out.all.push(pin.cid.toString() + ' ' + pin.type); }
              out.byPath = [];
              for await (const pin of ipfs.pin.ls({ paths: '/ipfs/{{existing}}' })) { out.byPath.push(pin.cid.toString() + ' ' + pin.type); }
              out.removed = (await ipfs.pin.rm('{{added}}')).toString();
              try { await ipfs.pin.rm('{{added}}'); out.secondRm = 'ok'; } catch (e) { out.secondRm = e.message; }
              const stat = await ipfs.repo.stat();
              out.repoSize = stat.repoSize.toString();
              out.storageMax = stat.storageMax.toString();
              out.numObjects = stat.numObjects.toString();
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("id").GetString(), Is.EqualTo(KuboRpcTestHost.Identity.PeerId));
            Assert.That(output.GetProperty("addresses")[0].GetString(), Is.EqualTo("/ip4/10.0.0.7/tcp/4001"));
            Assert.That(output.GetProperty("agentVersion").GetString(), Does.StartWith("composite-gateway/"));
            Assert.That(output.GetProperty("version").GetString(), Does.Match(@"^\d+\.\d+\.\d+"));
            Assert.That(output.GetProperty("added").GetString(), Is.EqualTo(added));
            Assert.That(output.GetProperty("all").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { existing + " direct", added + " recursive" }));
            Assert.That(output.GetProperty("byPath").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { existing + " direct" }));
            Assert.That(output.GetProperty("removed").GetString(), Is.EqualTo(added));
            Assert.That(output.GetProperty("secondRm").GetString(), Is.EqualTo("not pinned or pinned indirectly"));
            Assert.That(output.GetProperty("repoSize").GetString(), Is.EqualTo("52428800"));
            Assert.That(output.GetProperty("storageMax").GetString(), Is.EqualTo("10000000000"));
            Assert.That(output.GetProperty("numObjects").GetString(), Is.EqualTo("0"));
        });
        Assert.That(host.Pins.Pins.Select(p => p.Cid), Is.EqualTo(new[] { existing }));
    }
}
