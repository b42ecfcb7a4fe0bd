using System.Text;
using System.Text.Json;
using CompositeGateway.Ipld;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Ipld;

/// <summary>
/// Compares <see cref="UnixFsImporter"/> and <see cref="DirectoryBuilder"/> with the real
/// third-party implementation: ipfs-only-hash@4.0.0 for files and, for directories (which
/// ipfs-only-hash cannot hash), the ipfs-unixfs-importer@7 it is built on, which reports every
/// file and directory with its cumulative size. Both follow Kubo's defaults when given
/// <c>rawLeaves: true</c> for CIDv1 (ipfs-only-hash does not switch raw leaves on by itself).
/// One node process hashes everything.
/// </summary>
[NonParallelizable]
public sealed class UnixFsCrossCheckTests
{
    private const int FiftyMiB = 50 * 1024 * 1024;

    private static readonly (string Name, int Length)[] Files =
    [
        ("empty", 0),
        ("one-byte", 1),
        ("one-chunk", 262_144),
        ("chunk-plus-one", 262_145),
        ("exactly-174-chunks", 174 * 262_144),
        ("fifty-mib", FiftyMiB),
    ];

    // A tree with nesting, a unicode name (sorting is by UTF-8 bytes, so "Z" < "a" < "Ä"), a
    // multi-chunk file, an empty file and a name that is a prefix of another.
    private static readonly (string Path, int Length)[] TreeFiles =
    [
        ("dir/b.txt", 12),
        ("dir/a", 1),
        ("dir/a.txt", 0),
        ("dir/sub/Z", 262_145),
        ("dir/sub/\u00c4rger", 5),
        ("dir/sub/a", 40),
        ("dir/sub/deeper/x", 7),
    ];

    // With 16-byte chunks and 3 links per node, small files reach depth 3 and 4 and every
    // boundary (full level, one past it) that 262,144 × 174 makes too big to test.
    private static readonly int[] GeometryLengths = [15, 16, 17, 48, 49, 144, 145, 432, 433, 437, 448, 1000, 1296, 1297];

    private const string Script = """
        const fs = require('fs');
        const hash = require('ipfs-only-hash');
        const { importer } = require('ipfs-unixfs-importer');
        const block = { get: async () => { throw new Error('get') }, put: async () => { throw new Error('put') } };
        const input = JSON.parse(fs.readFileSync(0, 'utf8'));
        const modes = { v0: {}, v1: { cidVersion: 1, rawLeaves: true } };
        (async () => {
          const out = { files: {}, trees: {} };
          for (const f of input.files) {
            out.files[f.name] = {};
            for (const [m, o] of Object.entries(modes)) {
              out.files[f.name][m] = await hash.of(fs.createReadStream(f.path), { ...o });
            }
          }
          for (const [m, o] of Object.entries(modes)) {
            for (const wrap of [false, true]) {
              const entries = {};
              const source = input.tree.map(t => ({ path: t.path, content: fs.createReadStream(t.file) }));
              for await (const e of importer(source, block, { ...o, onlyHash: true, wrapWithDirectory: wrap })) {
                entries[e.path] = { cid: e.cid.toString(), size: e.size };
              }
              out.trees[m + (wrap ? '-wrapped' : '')] = entries;
            }
          }
          out.geometry = {};
          for (const g of input.geometry) {
            const content = fs.readFileSync(g.path);
            out.geometry[g.length] = {};
            for (const [m, o] of Object.entries(modes)) {
              out.geometry[g.length][m] = await hash.of(content, { ...o, maxChunkSize: 16, maxChildrenPerNode: 3 });
            }
          }
          const single = {};
          for await (const e of importer([{ path: 'hello.txt', content: [Buffer.from('hello world\n')] }], block, { onlyHash: true, wrapWithDirectory: true })) {
            single[e.path] = { cid: e.cid.toString(), size: e.size };
          }
          out.trees['v0-single-wrapped'] = single;
          process.stdout.write(JSON.stringify(out));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    private string _folder = "";
    private JsonElement _expected;

    [OneTimeSetUp]
    public async Task HashWithNode()
    {
        NodeClients.RequireInstalled();
        _folder = Directory.CreateTempSubdirectory("ipld-crosscheck-").FullName;
        var files = new List<object>();
        foreach (var (name, length) in Files)
        {
            var path = Path.Combine(_folder, name);
            await File.WriteAllBytesAsync(path, Content(name, length));
            files.Add(new { name, path });
        }

        var tree = new List<object>();
        foreach (var (treePath, length) in TreeFiles)
        {
            var file = Path.Combine(_folder, "tree-" + tree.Count);
            await File.WriteAllBytesAsync(file, Content(treePath, length));
            tree.Add(new { path = treePath, file });
        }

        var geometry = new List<object>();
        foreach (var length in GeometryLengths)
        {
            var path = Path.Combine(_folder, "geometry-" + length);
            await File.WriteAllBytesAsync(path, Content("geometry", length));
            geometry.Add(new { length, path });
        }

        var result = await NodeClients.RunAsync(Script, JsonSerializer.Serialize(new { files, tree, geometry }));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        _expected = JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [OneTimeTearDown]
    public void RemoveFiles()
    {
        if (_folder.Length > 0)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [TestCase("empty")]
    [TestCase("one-byte")]
    [TestCase("one-chunk")]
    [TestCase("chunk-plus-one")]
    [TestCase("exactly-174-chunks")]
    [TestCase("fifty-mib")]
    public async Task ImportFileAsync_SameCidsAsIpfsOnlyHash(string name)
    {
        var length = Files.Single(f => f.Name == name).Length;
        var content = Content(name, length);

        var v0 = await new UnixFsImporter(NullBlockSink.Instance).ImportBytesAsync(content, CancellationToken.None);
        var v1 = await new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { CidVersion = 1 }).ImportBytesAsync(content, CancellationToken.None);

        var expected = _expected.GetProperty("files").GetProperty(name);
        Assert.Multiple(() =>
        {
            Assert.That(v0.Cid.ToString(), Is.EqualTo(expected.GetProperty("v0").GetString()), "v0");
            Assert.That(v1.Cid.ToString(), Is.EqualTo(expected.GetProperty("v1").GetString()), "v1 raw leaves");
            Assert.That(v0.FileSize, Is.EqualTo((ulong)length));
        });
    }

    [Test]
    public async Task ImportFileAsync_SmallChunksAndFanout_SameTreeShapesAsIpfsOnlyHash()
    {
        await Assert.MultipleAsync(async () =>
        {
            foreach (var length in GeometryLengths)
            {
                var content = Content("geometry", length);
                var expected = _expected.GetProperty("geometry").GetProperty(length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (var (mode, version) in new[] { ("v0", 0), ("v1", 1) })
                {
                    var options = new UnixFsImportOptions { CidVersion = version, ChunkSize = 16, MaxLinks = 3 };
                    var entry = await new UnixFsImporter(NullBlockSink.Instance, options).ImportBytesAsync(content, CancellationToken.None);
                    Assert.That(entry.Cid.ToString(), Is.EqualTo(expected.GetProperty(mode).GetString()), length + " bytes, " + mode);
                }
            }
        });
    }

    [TestCase("v0", false)]
    [TestCase("v1", false)]
    [TestCase("v0", true)]
    [TestCase("v1", true)]
    public async Task BuildAsync_Tree_SameCidsAndSizesAsUnixFsImporterJs(string mode, bool wrap)
    {
        var options = new UnixFsImportOptions { CidVersion = mode == "v1" ? 1 : 0 };
        var importer = new UnixFsImporter(NullBlockSink.Instance, options);
        var actual = new Dictionary<string, ImportedEntry>();
        var builder = importer.CreateDirectory();
        foreach (var (path, length) in TreeFiles)
        {
            var entry = await importer.ImportBytesAsync(Content(path, length), CancellationToken.None);
            actual[path] = entry;
            builder.Add(path, entry);
        }

        // The builder's root wraps "dir"; without wrap-with-directory, "dir" is the top.
        var root = await builder.BuildAsync(NullBlockSink.Instance, (path, entry) => actual[path] = entry, CancellationToken.None);
        if (!wrap)
        {
            actual.Remove("");
        }

        var expected = _expected.GetProperty("trees").GetProperty(mode + (wrap ? "-wrapped" : ""));
        var expectedPaths = expected.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(actual.Keys, Is.EquivalentTo(expectedPaths));
        Assert.Multiple(() =>
        {
            foreach (var path in expectedPaths)
            {
                var e = expected.GetProperty(path);
                Assert.That(actual[path].Cid.ToString(), Is.EqualTo(e.GetProperty("cid").GetString()), path);
                Assert.That(actual[path].DagSize, Is.EqualTo(e.GetProperty("size").GetUInt64()), path + " size");
            }

            Assert.That(root.IsDirectory, Is.True);
        });
    }

    [Test]
    public async Task BuildAsync_WrapSingleFile_SameAsWrapWithDirectory()
    {
        var importer = new UnixFsImporter(NullBlockSink.Instance);
        var file = await importer.ImportBytesAsync(Encoding.ASCII.GetBytes("hello world\n"), CancellationToken.None);
        var builder = importer.CreateDirectory();
        builder.Add("hello.txt", file);

        var root = await builder.BuildAsync(NullBlockSink.Instance, null, CancellationToken.None);

        var expected = _expected.GetProperty("trees").GetProperty("v0-single-wrapped").GetProperty("");
        Assert.Multiple(() =>
        {
            Assert.That(root.Cid.ToString(), Is.EqualTo(expected.GetProperty("cid").GetString()));
            Assert.That(root.DagSize, Is.EqualTo(expected.GetProperty("size").GetUInt64()));
        });
    }

    private static byte[] Content(string name, int length)
    {
        var seed = 0xCBF29CE484222325UL;
        foreach (var c in name)
        {
            seed = (seed ^ c) * 0x100000001B3UL;
        }

        return TestData.Bytes(length, seed | 1);
    }
}
