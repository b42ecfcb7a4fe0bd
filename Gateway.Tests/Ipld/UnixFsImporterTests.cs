using System.Text;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Ipld;

public sealed class UnixFsImporterTests
{
    [TestCase(0, "hello world\n", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", 20UL)]
    [TestCase(1, "hello world\n", "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", 12UL)]
    [TestCase(0, "", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", 6UL)]
    [TestCase(1, "", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", 0UL)]
    public async Task ImportBytesAsync_KnownKuboCids(int version, string text, string expected, ulong dagSize)
    {
        var entry = await new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { CidVersion = version })
            .ImportBytesAsync(Encoding.ASCII.GetBytes(text), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Cid.ToString(), Is.EqualTo(expected));
            Assert.That(entry.DagSize, Is.EqualTo(dagSize));
            Assert.That(entry.FileSize, Is.EqualTo((ulong)text.Length));
        });
    }

    [Test]
    public async Task ImportBytesAsync_V0WithRawLeaves_RawLeafIsRootOfSingleChunk()
    {
        var options = new UnixFsImportOptions { CidVersion = 0, RawLeaves = true };
        var entry = await new UnixFsImporter(NullBlockSink.Instance, options).ImportBytesAsync("hello world\n"u8.ToArray(), CancellationToken.None);

        Assert.That(entry.Cid.ToString(), Is.EqualTo("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"));
    }

    [Test]
    public async Task ImportBytesAsync_V1WithoutRawLeaves_UsesV1DagPbLeaf()
    {
        var options = new UnixFsImportOptions { CidVersion = 1, RawLeaves = false };
        var entry = await new UnixFsImporter(NullBlockSink.Instance, options).ImportBytesAsync("hello world\n"u8.ToArray(), CancellationToken.None);

        Assert.That(entry.Cid.ToString(), Is.EqualTo("bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"));
    }

    [TestCase(0, 262_144, 174, 3 * 262_144 + 17)]
    [TestCase(1, 262_144, 174, 3 * 262_144 + 17)]
    [TestCase(0, 1024, 174, 1024 * 175)]
    [TestCase(1, 100, 10, 100 * 10 * 10 + 1)]
    [TestCase(0, 100, 10, 100 * 10 * 10 * 10 + 1)]
    public async Task ImportFileAsync_BlocksInSink_ReassembleToTheInputWithConsistentSizes(int version, int chunkSize, int maxLinks, int length)
    {
        var store = new MemoryBlockStore();
        var content = TestData.Bytes(length);

        var entry = await new UnixFsImporter(store, new UnixFsImportOptions { CidVersion = version, ChunkSize = chunkSize, MaxLinks = maxLinks })
            .ImportFileAsync(new MemoryStream(content), null, CancellationToken.None);

        using var output = new MemoryStream();
        var (fileSize, dagSize) = Walk(store, entry.Cid, output);
        Assert.Multiple(() =>
        {
            Assert.That(output.ToArray().AsSpan().SequenceEqual(content), Is.True, "content");
            Assert.That(fileSize, Is.EqualTo(entry.FileSize));
            Assert.That(dagSize, Is.EqualTo(entry.DagSize));
            Assert.That(entry.FileSize, Is.EqualTo((ulong)length));
        });
    }

    [Test]
    public async Task ImportFileAsync_ReportsProgressPerChunk()
    {
        var reported = new List<long>();

        await new UnixFsImporter(NullBlockSink.Instance).ImportFileAsync(TestData.Stream(600_000), reported.Add, CancellationToken.None);

        Assert.That(reported, Is.EqualTo(new long[] { 262_144, 524_288, 600_000 }));
    }

    [Test]
    public async Task ImportFileAsync_EmitsBlocksWhileReading()
    {
        var sink = new CountingSink();
        var stream = new ObservedStream(TestData.Stream(10 * 262_144), sink);

        await new UnixFsImporter(sink).ImportFileAsync(stream, null, CancellationToken.None);

        // By the time the 5th chunk is requested, the first 4 leaves are already in the sink.
        Assert.That(stream.BlocksSeenAtRead, Has.Some.GreaterThanOrEqualTo(4));
        Assert.That(sink.Count, Is.EqualTo(11));
    }

    [Test]
    public async Task ImportFileAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Assert.That(
            async () => await new UnixFsImporter(NullBlockSink.Instance).ImportFileAsync(TestData.Stream(1_000_000), null, cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Constructor_BadOptions_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { CidVersion = 2 }), Throws.ArgumentException);
            Assert.That(() => new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { ChunkSize = 0 }), Throws.ArgumentException);
            Assert.That(() => new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { ChunkSize = 2 << 20 }), Throws.ArgumentException);
            Assert.That(() => new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { MaxLinks = 1 }), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task BuildAsync_EmptyDirectory_IsKubosEmptyDir()
    {
        var v0 = await new DirectoryBuilder(0).BuildAsync(NullBlockSink.Instance, null, CancellationToken.None);
        var v1 = await new DirectoryBuilder(1).BuildAsync(NullBlockSink.Instance, null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(v0.Cid.ToString(), Is.EqualTo("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"));
            Assert.That(v1.Cid.ToString(), Is.EqualTo("bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"));
            Assert.That(v0.DagSize, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task BuildAsync_NestedEmptyDirectory_LinksItWithTsize4()
    {
        var store = new MemoryBlockStore();
        var builder = new DirectoryBuilder();
        builder.AddDirectory("empty");
        var paths = new List<string>();

        var root = await builder.BuildAsync(store, (path, _) => paths.Add(path), CancellationToken.None);

        store.TryGet(root.Cid, out var block);
        var node = DagPb.Decode(block.Span);
        Assert.Multiple(() =>
        {
            Assert.That(paths, Is.EqualTo(new[] { "empty", "" }));
            Assert.That(node.Links.Single(), Is.EqualTo(new PbLink(Cid.Parse("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"), "empty", 4)));
            Assert.That(root.DagSize, Is.EqualTo(4UL + (ulong)block.Length));
        });
    }

    [Test]
    public void Add_ConflictingPaths_Throw()
    {
        var file = new ImportedEntry(Cid.Parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"), 0, 6);
        var builder = new DirectoryBuilder();
        builder.Add("a/b", file);

        Assert.Multiple(() =>
        {
            Assert.That(() => builder.Add("a/b", file), Throws.ArgumentException.With.Message.Contains("duplicate"));
            Assert.That(() => builder.Add("a/b/c", file), Throws.ArgumentException.With.Message.Contains("through a file"));
            Assert.That(() => builder.Add("a/../c", file), Throws.ArgumentException);
            Assert.That(() => builder.Add("/", file), Throws.ArgumentException);
        });
    }

    [Test]
    public void BuildAsync_DirectoryKuboWouldShard_IsRefused()
    {
        var file = new ImportedEntry(Cid.Parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"), 0, 6);
        var builder = new DirectoryBuilder();
        for (var i = 0; i < 6000; i++)
        {
            builder.Add("a-fairly-long-file-name-" + i, file);
        }

        Assert.That(async () => await builder.BuildAsync(NullBlockSink.Instance, null, CancellationToken.None), Throws.TypeOf<NotSupportedException>());
    }

    /// <summary>Reads a UnixFS file DAG back, checking blocksizes and Tsizes against the children.</summary>
    private static (ulong FileSize, ulong DagSize) Walk(MemoryBlockStore store, Cid cid, Stream output)
    {
        Assert.That(store.TryGet(cid, out var block), Is.True, "block " + cid + " missing");
        Assert.That(cid.Multihash.Matches(block.Span), Is.True);
        if (cid.Codec == Multicodec.Raw)
        {
            output.Write(block.Span);
            return ((ulong)block.Length, (ulong)block.Length);
        }

        var node = DagPb.Decode(block.Span);
        var data = UnixFsData.Decode(node.Data!.Value.Span);
        Assert.That(data.Type, Is.EqualTo(UnixFsType.File));
        if (data.Data is { } inline)
        {
            output.Write(inline.Span);
        }

        var dagSize = (ulong)block.Length;
        for (var i = 0; i < node.Links.Count; i++)
        {
            var (childFile, childDag) = Walk(store, node.Links[i].Hash, output);
            Assert.That(data.BlockSizes[i], Is.EqualTo(childFile));
            Assert.That(node.Links[i].Tsize, Is.EqualTo(childDag));
            Assert.That(node.Links[i].Name, Is.EqualTo(""));
            dagSize += childDag;
        }

        Assert.That(data.FileSize, Is.EqualTo((ulong)(data.Data?.Length ?? 0) + data.BlockSizes.Aggregate(0UL, (a, b) => a + b)));
        return (data.FileSize!.Value, dagSize);
    }

    private sealed class CountingSink : IBlockSink
    {
        public int Count { get; private set; }

        public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ObservedStream(Stream inner, CountingSink sink) : Stream
    {
        public List<int> BlocksSeenAtRead { get; } = [];

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            BlocksSeenAtRead.Add(sink.Count);
            return inner.Read(buffer, offset, count);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            BlocksSeenAtRead.Add(sink.Count);
            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
