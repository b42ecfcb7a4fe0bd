using System.Text.Json;
using CompositeGateway.Ipld;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// kubo-rpc-client@7.1.0's <c>block.put</c> and <c>dag.put</c> through the real gateway into the emulator. The
/// expected CIDs are computed in the same script by the JS IPLD stack (multiformats, @ipld/dag-cbor,
/// @ipld/dag-json) that Kubo's answers are checked against, independently of the gateway's own codecs.
/// </summary>
public sealed class KuboRpcClientContentTests
{
    [Test]
    public async Task KuboRpcClient_BlockPutAndDagPut_CidsAsKuboPinnedWithOwnerBlocksStored()
    {
        NodeClients.RequireInstalled();
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        var cluster = environment.Cluster;

        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const { CID } = await import('multiformats/cid');
              const { sha256 } = await import('multiformats/hashes/sha2');
              const raw = await import('multiformats/codecs/raw');
              const dagCbor = await import('@ipld/dag-cbor');
              const dagJson = await import('@ipld/dag-json');
              const dagPb = await import('@ipld/dag-pb');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0' });
              const bytes = new TextEncoder().encode('composite gateway block ' + Date.now());
              const link = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
              const obj = { name: 'x', n: 42, neg: -7, big: 4294967296, list: [1, 'two', null, true], bytes: new Uint8Array([1, 2, 3]), link, z: { a: 1, bb: 2, c: 3 } };
              const out = { got: {}, want: {} };
              const v1 = async (code, hasher, data) => CID.create(1, code, await hasher.digest(data)).toString();

              out.got.block = (await ipfs.block.put(bytes, { pin: true })).toString();
              out.want.block = await v1(raw.code, sha256, bytes);
              // A CIDv0 names dag-pb: the emulator reads the links of what it stores, so the block must be dag-pb.
              const pbBytes = dagPb.encode({ Data: bytes, Links: [] });
              out.got.blockV0 = (await ipfs.block.put(pbBytes, { format: 'v0', pin: true })).toString();
              out.want.blockV0 = CID.createV0(await sha256.digest(pbBytes)).toString();
              // Only sha2-256 here: the emulator verifies every CAR block and computes no other hash (sha2-512 is unit-tested).
              const jsonBytes = new TextEncoder().encode('{"a":' + Date.now() + '}');
              out.got.blockMh = (await ipfs.block.put(jsonBytes, { mhtype: 'sha2-256', mhlen: 32, cidCodec: 'dag-json' })).toString();
              out.want.blockMh = await v1(dagJson.code, sha256, jsonBytes);
              out.got.blockCbor = (await ipfs.block.put(dagCbor.encode(obj), { format: 'dag-cbor' })).toString();
              out.want.blockCbor = await v1(dagCbor.code, sha256, dagCbor.encode(obj));

              out.got.dag = (await ipfs.dag.put(obj, { pin: true })).toString();
              out.want.dag = await v1(dagCbor.code, sha256, dagCbor.encode(obj));
              const jsonText = new TextEncoder().encode(JSON.stringify({ z: 1, a: [1, 2, { '/': link.toString() }], b: { '/': { bytes: 'AQID' } }, long: 'key', aa: -123456789012 }));
              out.got.dagFromJson = (await ipfs.dag.put(jsonText, { inputCodec: 'dag-json', pin: true })).toString();
              out.want.dagFromJson = await v1(dagCbor.code, sha256, dagCbor.encode(dagJson.decode(jsonText)));
              out.got.dagJson = (await ipfs.dag.put(obj, { storeCodec: 'dag-json' })).toString();
              out.want.dagJson = await v1(dagJson.code, sha256, dagJson.encode(obj));
              out.got.dagRaw = (await ipfs.dag.put(bytes, { storeCodec: 'raw', inputCodec: 'raw' })).toString();
              out.want.dagRaw = await v1(raw.code, sha256, bytes);

              try { await ipfs.dag.put(new TextEncoder().encode('{"a":'), { inputCodec: 'dag-json' }); out.badJson = 'accepted'; } catch (e) { out.badJson = e.message; }
              try { await ipfs.block.put(bytes, { mhtype: 'no-such-hash' }); out.badHash = 'accepted'; } catch (e) { out.badHash = e.message; }
              try { await ipfs.block.put(new Uint8Array(1024 * 1024 + 1)); out.big = 'accepted'; } catch (e) { out.big = e.message; }
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result + "\n" + string.Join("\n", gateway.Logs.Entries.Where(e => e.Level >= LogLevel.Warning)));
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        var got = output.GetProperty("got");
        var want = output.GetProperty("want");
        Assert.Multiple(() =>
        {
            foreach (var property in want.EnumerateObject())
            {
                Assert.That(got.GetProperty(property.Name).GetString(), Is.EqualTo(property.Value.GetString()), property.Name);
            }

            Assert.That(output.GetProperty("badJson").GetString(), Does.StartWith("dag-json:"));
            Assert.That(output.GetProperty("badHash").GetString(), Is.EqualTo("unrecognized multihash function: no-such-hash"));
            Assert.That(output.GetProperty("big").GetString(), Does.StartWith("produced block is over 1MiB"));
        });

        foreach (var name in new[] { "block", "blockV0", "dag", "dagFromJson" })
        {
            var cid = got.GetProperty(name).GetString()!;
            var pin = cluster.GetPin(cid);
            Assert.That(pin, Is.Not.Null, $"{name} {cid} pinned in the undercluster");
            Assert.That(pin!.Metadata!.Keys, Does.Contain(gateway.OwnerKey), $"{name} pinned with this gateway's owner key");
        }

        foreach (var property in got.EnumerateObject())
        {
            Assert.That(cluster.State.Blocks.TryGet(Cid.Parse(property.Value.GetString()!), out _), Is.True, $"{property.Name} block stored in the undercluster");
        }
    }
}
