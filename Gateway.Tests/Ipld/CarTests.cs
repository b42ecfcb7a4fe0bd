using System.Text.Json;
using CompositeGateway.Ipld;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Ipld;

public sealed class CarTests
{
    private static readonly Cid Hello = Cid.Parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");

    [Test]
    public async Task ReadAllAsync_WrittenCar_GivesRootsAndEveryBlock()
    {
        var source = new MemoryBlockStore();
        var root = await new UnixFsImporter(source, new UnixFsImportOptions { ChunkSize = 1000 }).ImportBytesAsync(TestData.Bytes(5500), CancellationToken.None);
        var car = await WriteCarAsync([root.Cid], source);

        var target = new MemoryBlockStore();
        var reader = await CarReader.ReadAllAsync(new TrickleStream(car), target, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(reader.Roots, Is.EqualTo(new[] { root.Cid }));
            Assert.That(target.Cids, Is.EquivalentTo(source.Cids));
            Assert.That(reader.BlockCount, Is.EqualTo(7));
            Assert.That(reader.BlockBytes, Is.EqualTo(source.Cids.Sum(c => source.TryGet(c, out var b) ? b.Length : 0)));
        });
    }

    [Test]
    public void EncodeHeader_KnownBytes()
    {
        // a2 "roots" [tag42(bytes(00 ‖ cid))] "version" 1, keys in dag-cbor length-first order.
        var expected = "a265726f6f747381d82a5823" + "00" + Convert.ToHexStringLower(Hello.Bytes.Span) + "6776657273696f6e01";

        Assert.That(Convert.ToHexStringLower(CarHeader.Encode([Hello])), Is.EqualTo(expected));
    }

    [Test]
    public async Task EncodeHeader_SameBytesAsJsIpldDagCbor()
    {
        Cid[] roots = [Hello, Hello.ToV1(), Cid.Parse("bafkqaaa")];
        const string Script = """
            const fs = require('fs');
            (async () => {
              const cbor = await import('@ipld/dag-cbor');
              const { CID } = await import('multiformats/cid');
              const roots = JSON.parse(fs.readFileSync(0, 'utf8')).map(r => CID.parse(r));
              const out = [[], roots.slice(0, 1), roots].map(rs => Buffer.from(cbor.encode({ version: 1, roots: rs })).toString('hex'));
              process.stdout.write(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(Script, JsonSerializer.Serialize(roots.Select(r => r.ToString())));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var expected = JsonSerializer.Deserialize<string[]>(result.Stdout)!;
        Cid[][] sets = [[], roots[..1], roots];
        Assert.Multiple(() =>
        {
            Assert.That(sets.Select(s => Convert.ToHexStringLower(CarHeader.Encode(s))), Is.EqualTo(expected));
            Assert.That(CarHeader.Decode(Convert.FromHexString(expected[2])).Roots, Is.EqualTo(roots));
        });
    }

    [Test]
    public void DecodeHeader_UnknownKeysAreSkipped()
    {
        // {"roots": [], "extra": {"a": [1, "x"]}, "version": 1}
        var bytes = Convert.FromHexString("a3" + "65726f6f747380" + "656578747261" + "a1" + "6161" + "82" + "01" + "6178" + "6776657273696f6e01");

        var (version, roots) = CarHeader.Decode(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(version, Is.EqualTo(1));
            Assert.That(roots, Is.Empty);
        });
    }

    [Test]
    public async Task CopyToAsync_TamperedBlock_IsRefused()
    {
        var block = "hello world\n"u8.ToArray();
        var cid = Cid.Hash(1, Multicodec.Raw, block);
        var car = await WriteCarAsync([cid], (cid, "hello World\n"u8.ToArray()));

        Assert.That(
            async () => await CarReader.ReadAllAsync(new MemoryStream(car), NullBlockSink.Instance, CancellationToken.None),
            Throws.TypeOf<IpldFormatException>().With.Message.EqualTo("car: block data does not match CID " + cid));
    }

    [Test]
    public async Task CopyToAsync_IdentityCid_IsVerifiedAgainstItsDigest()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Identity("abc"u8));
        var good = await WriteCarAsync([cid], (cid, "abc"u8.ToArray()));
        var bad = await WriteCarAsync([cid], (cid, "abd"u8.ToArray()));

        Assert.Multiple(async () =>
        {
            Assert.That((await CarReader.ReadAllAsync(new MemoryStream(good), NullBlockSink.Instance, CancellationToken.None)).BlockCount, Is.EqualTo(1));
            Assert.That(async () => await CarReader.ReadAllAsync(new MemoryStream(bad), NullBlockSink.Instance, CancellationToken.None), Throws.TypeOf<IpldFormatException>());
        });
    }

    [TestCase("", "car: empty file, no header")]
    [TestCase("0aa165726f6f747380", "car: unexpected end of data: section of 10 bytes, 8 present")]
    [TestCase("08a265726f6f747380", "car: invalid header: unexpected end of header")]
    [TestCase("096776657273696f6e02", "car: invalid header: header is not a map")]
    [TestCase("0aa16776657273696f6e02", "car: CARv2 is not supported, only CARv1")]
    [TestCase("0aa16776657273696f6e03", "car: invalid car version: 3")]
    [TestCase("08a165726f6f747380", "car: invalid header: header has no version")]
    [TestCase("8000", "car: section length: varint not minimally encoded")]
    [TestCase("ffffffffffffffffff01", "car: section length: varints larger than uint63 not supported")]
    [TestCase("ffffffff0f", "car: section of 4294967295 bytes exceeds the 33554432-byte limit")]
    public void OpenAsync_BadHeader_Throws(string hex, string message)
    {
        Assert.That(
            async () => await CarReader.OpenAsync(new MemoryStream(Convert.FromHexString(hex)), CancellationToken.None),
            Throws.TypeOf<IpldFormatException>().With.Message.EqualTo(message));
    }

    [Test]
    public async Task CopyToAsync_BadSections_Throw()
    {
        var header = await WriteCarAsync([Hello]);
        string[][] cases =
        [
            ["00", "car: zero-length section"],
            ["05" + "0102", "car: unexpected end of data: section of 5 bytes, 2 present"],
            ["03" + "020304", "car: section 0: invalid cid: expected 1 as the cid version number, got: 2"],
            ["8f", "car: section length: unexpected end of data"],
        ];
        Assert.Multiple(() =>
        {
            foreach (var c in cases)
            {
                var car = header.Concat(Convert.FromHexString(c[0])).ToArray();
                Assert.That(
                    async () => await CarReader.ReadAllAsync(new MemoryStream(car), NullBlockSink.Instance, CancellationToken.None),
                    Throws.TypeOf<IpldFormatException>().With.Message.EqualTo(c[1]),
                    c[0]);
            }
        });
    }

    [Test]
    public async Task ReadAllAsync_RandomCorruption_OnlyEverThrowsIpldFormatException()
    {
        var source = new MemoryBlockStore();
        var root = await new UnixFsImporter(source, new UnixFsImportOptions { ChunkSize = 50, MaxLinks = 3 }).ImportBytesAsync(TestData.Bytes(400), CancellationToken.None);
        var car = await WriteCarAsync([root.Cid], source);
        var random = new Random(99);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])car.Clone();
            for (var e = random.Next(1, 4); e > 0; e--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            bytes = bytes[..random.Next(bytes.Length + 1)];
            try
            {
                await CarReader.ReadAllAsync(new MemoryStream(bytes), NullBlockSink.Instance, CancellationToken.None);
            }
            catch (IpldFormatException)
            {
            }
        }
    }

    private static async Task<byte[]> WriteCarAsync(Cid[] roots, MemoryBlockStore store)
    {
        var blocks = store.Cids.Select(c => (c, store.TryGet(c, out var b) ? b.ToArray() : [])).ToArray();
        return await WriteCarAsync(roots, blocks);
    }

    private static async Task<byte[]> WriteCarAsync(Cid[] roots, params (Cid Cid, byte[] Block)[] blocks)
    {
        using var output = new MemoryStream();
        var writer = await CarWriter.CreateAsync(output, roots, CancellationToken.None);
        foreach (var (cid, block) in blocks)
        {
            await writer.PutAsync(cid, block, CancellationToken.None);
        }

        return output.ToArray();
    }

    /// <summary>Hands out at most 3 bytes per read, so every varint and section straddles reads.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(3, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
