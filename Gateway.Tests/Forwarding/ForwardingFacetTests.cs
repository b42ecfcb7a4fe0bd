using System.Security.Cryptography;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Content;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>
/// Real content end to end: kubo-rpc-client@7.1.0 adds a file and a directory through the gateway's own <c>add</c>
/// (blocks land in the emulated undercluster), then reads them back through the gateway, which forwards to the
/// emulator's IPFS facet set as <c>ipfs_api</c>. Every read is compared with what was added or with the block the
/// undercluster holds.
/// </summary>
public sealed class ForwardingFacetTests
{
    private const long FileSize = (3L << 20) + 12_345;
    private const string MissingCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    private static GatewayOptions WithFacet(GatewayOptions options, EmulatedCluster cluster, IReadOnlyList<string>? commands = null) => options with
    {
        Underclusters = [.. options.Underclusters.Select(u => u with { IpfsApi = cluster.IpfsBaseAddress })],
        KuboRpc = options.KuboRpc with { Forward = commands is null ? new ForwardOptions() : new ForwardOptions { Commands = commands } },
    };

    [Test]
    public async Task AddThroughGateway_ThenCatLsBlockDagRefsThroughGateway_ReturnExactlyWhatWasAdded()
    {
        NodeClients.RequireInstalled();
        using var data = AddTestData.Create();
        var file = data.File("big.bin", FileSize, seed: 11);
        var small = data.File("small.txt", 300, seed: 12);
        var medium = data.File("medium.bin", 700_000, seed: 13);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Gateways = 0,
            Cluster = new EmulatedClusterOptions { IpfsListen = "127.0.0.1:0" },
        });
        var cluster = environment.Cluster;
        var gateway = await environment.AddGatewayAsync(o => WithFacet(o, cluster));
        var script = $$"""
            (async () => {
              const fs = require('fs');
              const crypto = require('crypto');
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0', timeout: 60000 });
              const out = {};
              const file = (await ipfs.add(fs.createReadStream('{{file}}'))).cid;
              out.file = file.toString();
              const entries = [{ path: 'dir/small.txt', file: '{{small}}' }, { path: 'dir/medium.bin', file: '{{medium}}' }];
              out.added = {};
              for await (const r of ipfs.addAll(entries.map(e => ({ path: e.path, content: fs.createReadStream(e.file) })))) out.added[r.path] = r.cid.toString();
              const hash = crypto.createHash('sha256');
              let length = 0;
              for await (const c of ipfs.cat(file)) { hash.update(c); length += c.length; }
              out.catLength = length;
              out.catSha256 = hash.digest('hex');
              const part = [];
              for await (const c of ipfs.cat(file, { offset: 1000000, length: 300000 })) part.push(Buffer.from(c));
              out.part = Buffer.concat(part).toString('base64');
              const inDir = [];
              for await (const c of ipfs.cat(`/ipfs/${out.added.dir}/small.txt`)) inDir.push(Buffer.from(c));
              out.inDir = Buffer.concat(inDir).toString('base64');
              out.ls = [];
              for await (const e of ipfs.ls(out.added.dir)) out.ls.push({ name: e.name, cid: e.cid.toString(), size: e.size, type: e.type });
              out.block = Buffer.from(await ipfs.block.get(file)).toString('base64');
              const stat = await ipfs.block.stat(file);
              out.stat = { cid: stat.cid.toString(), size: stat.size };
              const dag = await ipfs.dag.get(file);
              out.dagLinks = dag.value.Links.map(l => ({ hash: l.Hash.toString(), tsize: l.Tsize }));
              out.refs = [];
              for await (const r of ipfs.refs(file)) { if (r.err) throw new Error(r.err); out.refs.push(r.ref); }
              out.recursiveRefs = [];
              for await (const r of ipfs.refs(out.added.dir, { recursive: true })) out.recursiveRefs.push(r.ref);
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        var fileCid = output.GetProperty("file").GetString()!;
        var added = output.GetProperty("added");
        var fileBytes = await File.ReadAllBytesAsync(file);
        Assert.That(cluster.State.Blocks.TryGet(Cid.Parse(fileCid), out var rootBlock), "the add put the root block into the undercluster");
        var root = DagPb.Decode(rootBlock!.Bytes);
        var mediumCid = added.GetProperty("dir/medium.bin").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("catLength").GetInt64(), Is.EqualTo(FileSize));
            Assert.That(output.GetProperty("catSha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(fileBytes))));
            Assert.That(Convert.FromBase64String(output.GetProperty("part").GetString()!), Is.EqualTo(fileBytes[1_000_000..1_300_000]));
            Assert.That(Convert.FromBase64String(output.GetProperty("inDir").GetString()!), Is.EqualTo(File.ReadAllBytes(small)));
            Assert.That(output.GetProperty("ls").EnumerateArray().Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("type").GetString()} {e.GetProperty("size").GetInt64()} {e.GetProperty("cid").GetString()}"),
                Is.EqualTo(new[]
                {
                    $"medium.bin file 700000 {mediumCid}",
                    $"small.txt file 300 {added.GetProperty("dir/small.txt").GetString()}",
                }));
            Assert.That(Convert.FromBase64String(output.GetProperty("block").GetString()!), Is.EqualTo(rootBlock.Bytes));
            Assert.That(output.GetProperty("stat").GetProperty("cid").GetString(), Is.EqualTo(fileCid));
            Assert.That(output.GetProperty("stat").GetProperty("size").GetInt32(), Is.EqualTo(rootBlock.Bytes!.Length));
            Assert.That(root.Links, Has.Count.EqualTo(13), "3 MiB + 12 KiB in 256 KiB chunks");
            Assert.That(output.GetProperty("dagLinks").EnumerateArray().Select(e => e.GetProperty("hash").GetString() + " " + e.GetProperty("tsize").GetUInt64()),
                Is.EqualTo(root.Links.Select(l => l.Hash + " " + l.Tsize)));
            Assert.That(output.GetProperty("refs").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(root.Links.Select(l => l.Hash.ToString())));
            Assert.That(output.GetProperty("recursiveRefs").EnumerateArray().Select(e => e.GetString()).ToList(),
                Does.Contain(mediumCid).And.Contains(added.GetProperty("dir/small.txt").GetString()).And.Count.EqualTo(2 + 3),
                "dir's two files and medium.bin's three 256 KiB leaves");
        });
    }

    [Test]
    public async Task GetThroughGateway_TarOfFileAndDirectory_GzipOptions_AsKuboAnswers()
    {
        NodeClients.RequireInstalled();
        using var data = AddTestData.Create();
        var file = data.File("file.bin", 600_000, seed: 21);
        var small = data.File("a.txt", 300, seed: 22);
        var nested = data.File("b.bin", 70_000, seed: 23);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Gateways = 0,
            Cluster = new EmulatedClusterOptions { IpfsListen = "127.0.0.1:0" },
        });
        var gateway = await environment.AddGatewayAsync(o => WithFacet(o, environment.Cluster));
        var script = $$"""
            (async () => {
              const fs = require('fs');
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0', timeout: 60000 });
              const out = {};
              out.file = (await ipfs.add(fs.createReadStream('{{file}}'))).cid.toString();
              const entries = [{ path: 'dir/a.txt', file: '{{small}}' }, { path: 'dir/sub/b.bin', file: '{{nested}}' }];
              for await (const r of ipfs.addAll(entries.map(e => ({ path: e.path, content: fs.createReadStream(e.file) })))) if (r.path === 'dir') out.dir = r.cid.toString();
              const collect = async (it) => { const parts = []; for await (const c of it) parts.push(Buffer.from(c)); return Buffer.concat(parts).toString('base64'); };
              const attempt = async (f) => { try { await f(); return 'accepted'; } catch (e) { return e.message; } };
              out.fileTar = await collect(ipfs.get(out.file));
              out.dirTar = await collect(ipfs.get(out.dir));
              out.fileGzip = await collect(ipfs.get(out.file, { compress: true, compressionLevel: 5 }));
              out.dirTarGzip = await collect(ipfs.get(out.dir, { archive: true, compress: true }));
              out.subTar = await collect(ipfs.get(`/ipfs/${out.dir}/sub`));
              out.dirGzipRefused = await attempt(() => collect(ipfs.get(out.dir, { compress: true })));
              out.levelRefused = await attempt(() => collect(ipfs.get(out.file, { compress: true, compressionLevel: 12 })));
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        var fileCid = output.GetProperty("file").GetString()!;
        var dirCid = output.GetProperty("dir").GetString()!;
        var fileBytes = await File.ReadAllBytesAsync(file);
        var smallBytes = await File.ReadAllBytesAsync(small);
        var nestedBytes = await File.ReadAllBytesAsync(nested);
        string[] dirEntries = [$"{dirCid} Directory", $"{dirCid}/a.txt RegularFile 300", $"{dirCid}/sub Directory", $"{dirCid}/sub/b.bin RegularFile 70000"];
        Assert.Multiple(() =>
        {
            var fileTar = Untar(Base64(output, "fileTar"));
            Assert.That(fileTar.Select(e => e.Line), Is.EqualTo(new[] { $"{fileCid} RegularFile 600000" }), "a file: one entry named by the CID");
            Assert.That(fileTar[0].Bytes, Is.EqualTo(fileBytes));
            var dirTar = Untar(Base64(output, "dirTar"));
            Assert.That(dirTar.Select(e => e.Line), Is.EqualTo(dirEntries), "a directory: itself, then its entries depth first in link order");
            Assert.That(dirTar[1].Bytes, Is.EqualTo(smallBytes));
            Assert.That(dirTar[3].Bytes, Is.EqualTo(nestedBytes));
            Assert.That(Gunzip(Base64(output, "fileGzip")), Is.EqualTo(fileBytes), "compress without archive: the file's bytes gzipped, no tar");
            Assert.That(Untar(Gunzip(Base64(output, "dirTarGzip"))).Select(e => e.Line), Is.EqualTo(dirEntries));
            Assert.That(Untar(Base64(output, "subTar")).Select(e => e.Line), Is.EqualTo(new[] { "sub Directory", "sub/b.bin RegularFile 70000" }), "named by the path's last segment");
            Assert.That(output.GetProperty("dirGzipRefused").GetString(), Is.EqualTo("file is not regular"));
            Assert.That(output.GetProperty("levelRefused").GetString(), Is.EqualTo("compression level must be between 1 and 9"));
        });
    }

    private static byte[] Base64(JsonElement output, string name) => Convert.FromBase64String(output.GetProperty(name).GetString()!);

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    /// <summary>Each entry as "name type [size]" with its bytes; the format must be USTAR, as Go's tar writes for Kubo.</summary>
    private static List<(string Line, byte[] Bytes)> Untar(byte[] tar)
    {
        var entries = new List<(string, byte[])>();
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            Assert.That(entry.Format, Is.EqualTo(System.Formats.Tar.TarEntryFormat.Ustar), entry.Name);
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            var line = entry.EntryType == System.Formats.Tar.TarEntryType.RegularFile ? $"{entry.Name} {entry.EntryType} {entry.Length}" : $"{entry.Name} {entry.EntryType}";
            entries.Add((line, content.ToArray()));
        }

        return entries;
    }

    [Test]
    public async Task CommandsOutsideTheList_RefusedClearly_MissingBlock_FacetsKuboErrorPassedThrough()
    {
        NodeClients.RequireInstalled();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Gateways = 0,
            Cluster = new EmulatedClusterOptions { IpfsListen = "127.0.0.1:0" },
        });
        var cluster = environment.Cluster;
        var gateway = await environment.AddGatewayAsync(o => WithFacet(o, cluster, ["cat", "block/get", "block/stat", "dag/get"]));
        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const { CID } = await import('multiformats/cid');
              const ipfs = create({ url: '{{gateway.KuboRpcUrl}}api/v0', timeout: 20000 });
              const out = {};
              const { cid } = await ipfs.add('forwarded through the gateway\n');
              out.cid = cid.toString();
              const chunks = [];
              for await (const c of ipfs.cat(cid)) chunks.push(Buffer.from(c));
              out.cat = Buffer.concat(chunks).toString();
              const attempt = async (name, f) => { try { await f(); out[name] = 'accepted'; } catch (e) { out[name] = e.message; } };
              await attempt('configReplace', () => ipfs.config.replace({}));
              await attempt('refs', async () => { for await (const r of ipfs.refs(cid)) { } });
              const started = Date.now();
              await attempt('missingBlock', () => ipfs.block.get(CID.parse('{{MissingCid}}')));
              await attempt('missingCat', async () => { for await (const c of ipfs.cat(CID.parse('{{MissingCid}}'))) { } });
              out.missingMs = Date.now() - started;
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("cat").GetString(), Is.EqualTo("forwarded through the gateway\n"));
            Assert.That(output.GetProperty("configReplace").GetString(), Does.StartWith("command \"config/replace\" is not answered by the gateway and not forwarded"));
            Assert.That(output.GetProperty("refs").GetString(), Does.StartWith("command \"refs\" is not answered by the gateway and not forwarded"));
            Assert.That(output.GetProperty("missingBlock").GetString(), Is.EqualTo($"block was not found locally (offline): ipld: could not find {MissingCid}"));
            Assert.That(output.GetProperty("missingCat").GetString(), Does.StartWith("block was not found locally (offline)"));
            Assert.That(output.GetProperty("missingMs").GetInt64(), Is.LessThan(15_000), "answered, not left hanging until the client's timeout");
        });
    }
}
