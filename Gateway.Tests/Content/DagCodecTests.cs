using System.Security.Cryptography;
using System.Text;
using CompositeGateway.Content;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc.Commands;

namespace CompositeGateway.Tests.Content;

/// <summary>Transcoding and CIDs checked against the fixed CIDs of Kubo's test/sharness/t0053-dag.sh.</summary>
public sealed class DagCodecTests
{
    private static readonly byte[] CborFixture = Convert.FromBase64String("omREYXRhRQABAgMEZUxpbmtzgA==");
    private static readonly byte[] JsonFixture = Encoding.UTF8.GetBytes("{\"Data\":{\"/\":{\"bytes\":\"AAECAwQ\"}},\"Links\":[]}\n");

    [TestCase(Multicodec.DagCbor, "bafyreiblwimnjbqcdoeafiobk6q27jcw64ew7n2fmmhdpldd63edmjecde")]
    [TestCase(Multicodec.DagJson, "baguqeera6gviseelmbzn2ugoddo5vulxlshqs3kw5ymgsb6w4cabnoh4ldpa")]
    public async Task Transcode_KuboHelloWorldObject_KubosCid(ulong store, string expected)
    {
        // t0053: HASH1..3 are `ipfs add` of "foo\n", "bar\n", "baz\n" (CIDv0).
        var hashes = new List<string>();
        foreach (var text in new[] { "foo\n", "bar\n", "baz\n" })
        {
            hashes.Add((await new UnixFsImporter(NullBlockSink.Instance).ImportBytesAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None)).Cid.ToString());
        }

        var json = $"{{\"hello\":\"world\",\"cats\":[{{\"/\":\"{hashes[0]}\"}},{{\"water\":{{\"/\":\"{hashes[1]}\"}}}}],\"magic\":{{\"/\":\"{hashes[2]}\"}},\"sub\":{{\"dict\":\"ionary\",\"beep\":[0,\"bop\"]}}}}";

        Assert.That(CidOf(Encoding.UTF8.GetBytes(json), Multicodec.DagJson, store), Is.EqualTo(expected));
    }

    [Test]
    public void Transcode_CodecFixtures_KubosCids()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CidOf(CborFixture, Multicodec.DagCbor, Multicodec.DagCbor), Is.EqualTo("bafyreieculsmrexh3ty5jentbvuku452o27mst4h2tq2rb2zntqhgcstji"));
            Assert.That(CidOf(JsonFixture, Multicodec.DagJson, Multicodec.DagCbor), Is.EqualTo("bafyreieculsmrexh3ty5jentbvuku452o27mst4h2tq2rb2zntqhgcstji"));
            Assert.That(CidOf(CborFixture, Multicodec.DagCbor, Multicodec.DagJson), Is.EqualTo("baguqeerajwksxu3lxpomdwxvosl542zl3xknhjgxtq3277gafrhl6vdw5tcq"));
        });
    }

    [Test]
    public void DagCbor_LinkAndIntegers_CanonicalBytes()
    {
        var cid = Cid.Parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        var node = DagJson.Decode(Encoding.UTF8.GetBytes($"{{\"bb\":-1,\"a\":{{\"/\":\"{cid}\"}},\"c\":24}}"));

        var bytes = DagCbor.Encode(node);

        // a3 map(3); "a" tag 42 bytes(0x00 + cid); "c" 0x18 0x18; "bb" 0x20 (−1).
        var expected = new List<byte> { 0xa3, 0x61, (byte)'a', 0xd8, 0x2a, 0x58, (byte)(cid.ByteLength + 1), 0x00 };
        expected.AddRange(cid.Bytes.ToArray());
        expected.AddRange([0x61, (byte)'c', 0x18, 0x18, 0x62, (byte)'b', (byte)'b', 0x20]);
        Assert.That(bytes, Is.EqualTo(expected.ToArray()));
        Assert.That(DagCbor.Decode(bytes), Is.InstanceOf<IpldMap>());
    }

    [TestCase("{\"a\":")]
    [TestCase("{\"a\":1,\"a\":2}")]
    [TestCase("{\"/\":\"not-a-cid\"}")]
    [TestCase("1 2")]
    [TestCase("184467440737095516160")]
    public void DagJson_InvalidInput_IpldFormatException(string json) =>
        Assert.That(() => DagJson.Decode(Encoding.UTF8.GetBytes(json)), Throws.InstanceOf<IpldFormatException>());

    /// <summary>Bytes that are not UTF-8 inside a string or a key: the reader finds out only when the text is read.</summary>
    [TestCase(new byte[] { (byte)'"', 0xFC, (byte)'"' })]
    [TestCase(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' })]
    [TestCase(new byte[] { (byte)'[', (byte)'"', (byte)'a', 0xED, 0xA0, 0x80, (byte)'"', (byte)']' })]
    public void DagJson_InvalidUtf8_IpldFormatException(byte[] json) =>
        Assert.That(() => DagJson.Decode(json), Throws.InstanceOf<IpldFormatException>().With.Message.StartsWith("dag-json: "));

    [Test]
    public void IpldLinks_DagJsonLinkNotUtf8_IpldFormatException()
    {
        byte[] block = [.. "{\"/\":\""u8, 0xFC, .. "\"}"u8];
        var cid = Cid.Parse("baguqeera6gviseelmbzn2ugoddo5vulxlshqs3kw5ymgsb6w4cabnoh4ldpa");

        Assert.That(() => IpldLinks.Of(cid, block), Throws.InstanceOf<IpldFormatException>().With.Message.StartsWith("dag-json: "));
    }

    [Test]
    public void BlockPrefix_KuboOptions_CidsAndErrors()
    {
        var data = "hello"u8.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(BlockPrefix.TryParseBlockPut(null, null, -1, null, out var raw, out _), Is.True);
            Assert.That(raw!.Sum(data, out _)!.ToString(), Is.EqualTo(Cid.V1(Multicodec.Raw, Multihash.Sha2_256(data)).ToString()));
            Assert.That(BlockPrefix.TryParseBlockPut(null, "sha2-512", -1, null, out var sha512, out _), Is.True);
            Assert.That(sha512!.Sum(data, out _)!.Multihash, Is.EqualTo(Multihash.FromDigest(0x13, SHA512.HashData(data))));
            Assert.That(BlockPrefix.TryParseBlockPut(null, null, -1, "v0", out var v0, out _), Is.True);
            Assert.That(v0!.Sum(data, out _)!.Version, Is.Zero);
            Assert.That(BlockPrefix.TryParseBlockPut(null, "sha2-512", -1, "v0", out _, out var v0Error), Is.False);
            Assert.That(v0Error, Is.EqualTo("only sha2-255-32 is allowed with CIDv0"));
            Assert.That(BlockPrefix.TryParseBlockPut("dag-cbor", null, -1, "v0", out _, out var both), Is.False);
            Assert.That(both, Is.EqualTo("unable to use \"format\" (deprecated) and a custom \"cid-codec\" at the same time"));
            Assert.That(BlockPrefix.TryParseBlockPut("nope", null, -1, null, out _, out var codec), Is.False);
            Assert.That(codec, Is.EqualTo("unknown multicodec: \"nope\""));
            Assert.That(BlockPrefix.TryParseBlockPut(null, "sha2-256", 33, null, out var tooLong, out _), Is.True);
            Assert.That(tooLong!.Sum(data, out var lengthError), Is.Null);
            Assert.That(lengthError, Is.EqualTo(BlockHasher.LengthTooLarge));
        });
    }

    private static string CidOf(byte[] input, ulong inputCodec, ulong storeCodec) =>
        Cid.V1(storeCodec, Multihash.Sha2_256(DagPutCommand.Transcode(input, inputCodec, storeCodec))).ToString();
}
