using System.Text.Json;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// The real third-party client kubo-rpc-client@7.1.0 (Gateway.Tests/js) against the real gateway and emulator.
/// The script asks the emulator's REST API itself, right after <c>pin.add</c> resolves, so "done only when pinned"
/// is checked at that moment from the undercluster's own answer.
/// </summary>
public sealed class KuboRpcClientJourneyTests
{
    [Test]
    public async Task KuboRpcClient_IdVersionPinAddLsRmRepoStat_AgainstGatewayAndEmulator()
    {
        NodeClients.RequireInstalled();
        var pinDelay = TimeSpan.FromMilliseconds(400);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { PinDelay = pinDelay },
        });
        var gateway = environment.Gateway;
        var cluster = environment.Cluster;
        var added = TestEnvironment.NewCid();
        var direct = TestEnvironment.NewCid();

        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0' });
              const emulator = '{{cluster.BaseAddress}}';
              const peersOf = async (cid) => {
                const info = await (await fetch(emulator + 'pins/' + cid)).json();
                return Object.values(info.peer_map).map(p => p.status);
              };
              const out = {};
              const id = await ipfs.id();
              out.id = id.id.toString();
              out.addresses = id.addresses.map(a => a.toString());
              out.version = (await ipfs.version()).version;

              let started = Date.now();
              out.added = (await ipfs.pin.add('{{added}}')).toString();
              out.addMs = Date.now() - started;
              out.statusAtAdd = await peersOf('{{added}}');
              started = Date.now();
              out.direct = (await ipfs.pin.add('{{direct}}', { recursive: false })).toString();
              out.directMs = Date.now() - started;
              out.statusAtDirect = await peersOf('{{direct}}');

              out.all = [];
              for await (const pin of ipfs.pin.ls()) { out.all.push(pin.cid.toString() + ' ' + pin.type); }
              out.recursive = [];
              for await (const pin of ipfs.pin.ls({ type: 'recursive' })) { out.recursive.push(pin.cid.toString()); }
              out.byPath = [];
              for await (const pin of ipfs.pin.ls({ paths: '/ipfs/{{added}}' })) { out.byPath.push(pin.cid.toString() + ' ' + pin.type); }
              out.byCid = [];
              for await (const pin of ipfs.pin.ls({ paths: ['{{direct}}'] })) { out.byCid.push(pin.cid.toString() + ' ' + pin.type); }

              const stat = await ipfs.repo.stat();
              out.repoSize = stat.repoSize.toString();
              out.storageMax = stat.storageMax.toString();

              out.removed = (await ipfs.pin.rm('{{added}}')).toString();
              try { await ipfs.pin.rm('{{added}}'); out.secondRm = 'ok'; } catch (e) { out.secondRm = e.message; }
              try { for await (const pin of ipfs.pin.ls({ paths: '{{added}}' })) { out.afterRm = pin.cid.toString(); } } catch (e) { out.afterRm = e.message; }
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        string[] Strings(string name) => [.. output.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("id").GetString(), Is.EqualTo(gateway.PeerId));
            Assert.That(Strings("addresses"), Is.EquivalentTo(cluster.Peers.SelectMany(p => p.IpfsAddresses)));
            Assert.That(output.GetProperty("version").GetString(), Does.Match(@"^\d+\.\d+\.\d+"));

            Assert.That(output.GetProperty("added").GetString(), Is.EqualTo(added));
            Assert.That(Strings("statusAtAdd"), Has.All.EqualTo(TrackerStatus.Pinned), "pin.add resolved before the undercluster pinned");
            Assert.That(output.GetProperty("addMs").GetInt32(), Is.GreaterThanOrEqualTo((int)pinDelay.TotalMilliseconds));
            Assert.That(output.GetProperty("direct").GetString(), Is.EqualTo(direct));
            Assert.That(Strings("statusAtDirect"), Has.All.EqualTo(TrackerStatus.Pinned));
            Assert.That(output.GetProperty("directMs").GetInt32(), Is.GreaterThanOrEqualTo((int)pinDelay.TotalMilliseconds));

            Assert.That(Strings("all"), Is.EquivalentTo(new[] { added + " recursive", direct + " direct" }));
            Assert.That(Strings("recursive"), Is.EqualTo(new[] { added }));
            Assert.That(Strings("byPath"), Is.EqualTo(new[] { added + " recursive" }));
            Assert.That(Strings("byCid"), Is.EqualTo(new[] { direct + " direct" }));

            Assert.That(output.GetProperty("repoSize").GetString(), Is.EqualTo("0"));
            // Both pins everywhere: each peer's free space is its capacity less two nominal pin sizes (docs/design/repo-stat.md).
            var options = new EmulatedClusterOptions();
            Assert.That(output.GetProperty("storageMax").GetString(), Is.EqualTo((options.Capacity - (2 * options.NominalPinSize)).ToString(System.Globalization.CultureInfo.InvariantCulture)));

            Assert.That(output.GetProperty("removed").GetString(), Is.EqualTo(added));
            Assert.That(output.GetProperty("secondRm").GetString(), Is.EqualTo("not pinned or pinned indirectly"));
            Assert.That(output.GetProperty("afterRm").GetString(), Does.EndWith("is not pinned"));
        });
        Assert.That(cluster.GetPin(added), Is.Null, "pin.rm removed the undercluster pin the gateway created");
        Assert.That(cluster.GetPin(direct)?.MaxDepth, Is.EqualTo(0), "stored direct in the undercluster");
    }
}
