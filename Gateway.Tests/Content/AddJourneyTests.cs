using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// kubo-rpc-client@7.1.0's <c>add</c> / <c>addAll</c> against the real gateway and emulator; every CID is checked
/// against ipfs-only-hash@4.0.0 (files) or ipfs-unixfs-importer (the wrapped directory), every root pinned in the
/// undercluster with this gateway as owner, and every block of every DAG present in the undercluster.
/// </summary>
public sealed class AddJourneyTests
{
    private const string Helpers = """
        const fs = require('fs');
        const hash = require('ipfs-only-hash');
        const { importer } = require('ipfs-unixfs-importer');
        const block = { get: async () => { throw new Error('get') }, put: async () => {} };
        const importDir = async (entries, opts) => {
          let last;
          for await (const e of importer(entries.map(x => ({ path: x.path, content: fs.createReadStream(x.file) })), block, opts)) { last = e; }
          return last.cid.toString();
        };
        """;

    [Test]
    public async Task KuboRpcClient_AddSizesOptionsAndWrappedDirectory_CidsMatchAndRootsPinnedWithBlocks()
    {
        NodeClients.RequireInstalled();
        using var data = AddTestData.Create();
        var oneByte = data.File("one-byte", 1, seed: 1);
        var oneMiB = data.File("one-mib", 1 << 20, seed: 2);
        var fiftyMiB = data.File("fifty-mib", 50L << 20, seed: 3);
        var small = data.File("small.txt", 300, seed: 4);
        var nested = data.File("nested.bin", 700_000, seed: 5);
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        var cluster = environment.Cluster;

        var script = Helpers + $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0' });
              const out = { files: {} };
              const one = async (key, file, addOpts, hashOpts) => {
                const r = await ipfs.add(fs.createReadStream(file), addOpts);
                out.files[key] = { cid: r.cid.toString(), path: r.path, size: r.size, expected: await hash.of(fs.createReadStream(file), hashOpts) };
              };
              await one('oneByte', '{{oneByte}}', {}, {});
              await one('oneMiB', '{{oneMiB}}', {}, {});
              await one('fiftyMiB', '{{fiftyMiB}}', {}, {});
              await one('cidV1', '{{oneMiB}}', { cidVersion: 1 }, { cidVersion: 1, rawLeaves: true });
              await one('rawLeaves', '{{oneMiB}}', { rawLeaves: true }, { rawLeaves: true });
              const progress = [];
              await one('progress', '{{nested}}', { progress: (bytes, name) => progress.push(bytes) }, {});
              out.progress = progress;
              const entries = [{ path: 'dir/small.txt', file: '{{small}}' }, { path: 'dir/sub/nested.bin', file: '{{nested}}' }];
              out.wrapped = [];
              for await (const r of ipfs.addAll(entries.map(e => ({ path: e.path, content: fs.createReadStream(e.file) })), { wrapWithDirectory: true })) {
                out.wrapped.push({ path: r.path, cid: r.cid.toString(), size: r.size });
              }
              out.wrappedExpected = await importDir(entries, { wrapWithDirectory: true });
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = AddTestData.Parse(result.Stdout);
        var roots = new List<string>();
        Assert.Multiple(() =>
        {
            foreach (var file in output.GetProperty("files").EnumerateObject())
            {
                var cid = file.Value.GetProperty("cid").GetString()!;
                roots.Add(cid);
                Assert.That(cid, Is.EqualTo(file.Value.GetProperty("expected").GetString()), file.Name + ": CID equals ipfs-only-hash's");
                Assert.That(file.Value.GetProperty("path").GetString(), Is.EqualTo(cid), file.Name + ": an unnamed file is named by its CID, as in Kubo");
                Assert.That(file.Value.GetProperty("size").GetInt64(), Is.GreaterThan(0), file.Name);
            }

            var progress = output.GetProperty("progress").EnumerateArray().Select(e => e.GetInt64()).ToList();
            Assert.That(progress, Is.Not.Empty, "progress callback called");
            Assert.That(progress[^1], Is.EqualTo(700_000), "progress ends at the file's length");
            Assert.That(progress, Is.Ordered);

            var wrapped = output.GetProperty("wrapped").EnumerateArray().ToList();
            Assert.That(wrapped.Select(w => w.GetProperty("path").GetString()), Is.EqualTo(new[] { "dir/small.txt", "dir/sub/nested.bin", "dir/sub", "dir", "" }));
            var wrapRoot = wrapped[^1].GetProperty("cid").GetString()!;
            Assert.That(wrapRoot, Is.EqualTo(output.GetProperty("wrappedExpected").GetString()), "wrapped root equals ipfs-unixfs-importer's");
            roots.Add(wrapRoot);
        });

        foreach (var root in roots.Distinct())
        {
            var pin = cluster.GetPin(root);
            Assert.That(pin, Is.Not.Null, root + " pinned in the undercluster");
            Assert.That(pin!.Metadata, Does.ContainKey(gateway.OwnerKey), root + " owned by this gateway");
            Assert.That(AddTestData.MissingBlocks(cluster, root), Is.Empty, root + ": every block in the undercluster");
        }

        Assert.That(cluster.State.Store.Count, Is.EqualTo(roots.Distinct().Count()), "only roots pinned (the undercluster's own add pinned nothing)");
    }

    [Test]
    public async Task KuboRpcClient_OnlyHashWithUnderclusterDown_AnswersKuboCidsAndStoresNothing()
    {
        NodeClients.RequireInstalled();
        using var data = AddTestData.Create();
        var file = data.File("file.bin", 3_000_000, seed: 7);
        var small = data.File("small.txt", 10, seed: 8);
        await using var environment = await TestEnvironment.StartAsync();
        await environment.Cluster.GoDownAsync();

        var script = Helpers + $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{environment.Gateway.KuboRpcUrl}}api/v0' });
              const out = {};
              out.v0 = (await ipfs.add(fs.createReadStream('{{file}}'), { onlyHash: true })).cid.toString();
              out.v0Expected = await hash.of(fs.createReadStream('{{file}}'));
              out.v1 = (await ipfs.add(fs.createReadStream('{{file}}'), { onlyHash: true, cidVersion: 1 })).cid.toString();
              out.v1Expected = await hash.of(fs.createReadStream('{{file}}'), { cidVersion: 1, rawLeaves: true });
              out.chunked = (await ipfs.add(fs.createReadStream('{{file}}'), { onlyHash: true, chunker: 'size-1000' })).cid.toString();
              out.chunkedExpected = await hash.of(fs.createReadStream('{{file}}'), { chunker: 'fixed', maxChunkSize: 1000 });
              const entries = [{ path: 'd/small.txt', file: '{{small}}' }, { path: 'd/e/file.bin', file: '{{file}}' }];
              out.paths = [];
              let last;
              for await (const r of ipfs.addAll(entries.map(e => ({ path: e.path, content: fs.createReadStream(e.file) })), { onlyHash: true, wrapWithDirectory: true })) { out.paths.push(r.path); last = r.cid.toString(); }
              out.wrapped = last;
              out.wrappedExpected = await importDir(entries, { wrapWithDirectory: true });
              try { await ipfs.add('x'); out.pinned = 'answered'; } catch (e) { out.pinned = e.message; }
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = AddTestData.Parse(result.Stdout);
        string S(string name) => output.GetProperty(name).GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(S("v0"), Is.EqualTo(S("v0Expected")));
            Assert.That(S("v1"), Is.EqualTo(S("v1Expected")));
            Assert.That(S("chunked"), Is.EqualTo(S("chunkedExpected")));
            Assert.That(S("wrapped"), Is.EqualTo(S("wrappedExpected")));
            Assert.That(output.GetProperty("paths").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "d/small.txt", "d/e/file.bin", "d/e", "d", "" }));
            Assert.That(S("pinned"), Is.Not.EqualTo("answered"), "without only-hash the add needs the undercluster, which is down");
        });
        Assert.That(environment.Cluster.State.Blocks.Count, Is.Zero);
        Assert.That(environment.Cluster.State.Store.Count, Is.Zero);
    }
}
