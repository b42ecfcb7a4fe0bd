using System.Text.Json;
using CompositeGateway.Ipld;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Ipld;

public sealed class DagPbTests
{
    private static readonly Cid Hello = Cid.Parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    private static readonly Cid RawEmpty = Cid.Parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");

    [Test]
    public void Encode_EmptyDirectory_IsKubosEmptyDirBlock()
    {
        var bytes = DagPb.Encode(new PbNode([], new UnixFsData { Type = UnixFsType.Directory }.Encode()));

        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo("0a020801"));
            // `ipfs object new unixfs-dir`.
            Assert.That(Cid.Hash(0, Multicodec.DagPb, bytes).ToString(), Is.EqualTo("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"));
        });
    }

    [Test]
    public void Encode_LinksAndData_WritesLinksFirstAndLinkFieldsInOrder()
    {
        var bytes = DagPb.Encode(new PbNode([new PbLink(Hello, "", 20)], new byte[] { 8, 2 }));

        // 12 len { 0a 22 <34-byte cid> 12 00 (empty Name is written) 18 14 } 0a 02 08 02
        var hex = Convert.ToHexStringLower(bytes);
        Assert.That(hex, Is.EqualTo("1228" + "0a22" + Convert.ToHexStringLower(Hello.Bytes.Span) + "1200" + "1814" + "0a020802"));
    }

    [Test]
    public void Decode_Encoded_RoundTrips()
    {
        var node = new PbNode([new PbLink(Hello, "b", 20), new PbLink(RawEmpty, null, null), new PbLink(Hello.ToV1(), "\u00e9t\u00e9", ulong.MaxValue)], new byte[] { 1, 2, 3 });

        var decoded = DagPb.Decode(DagPb.Encode(node));

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Links, Is.EqualTo(node.Links));
            Assert.That(decoded.Data!.Value.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(DagPb.Encode(decoded), Is.EqualTo(DagPb.Encode(node)));
        });
    }

    [Test]
    public void Decode_NoDataField_KeepsDataNull()
    {
        var decoded = DagPb.Decode(DagPb.Encode(new PbNode([new PbLink(Hello, "x", 1)], null)));

        Assert.That(decoded.Data, Is.Null);
    }

    [TestCase("0a0208011200", "invalid order, found Links after Data")]
    [TestCase("0a02080112", "invalid order, found Links after Data")]
    [TestCase("0a0208010a020801", "duplicate Data section")]
    [TestCase("1a00", "invalid fieldNumber 3")]
    [TestCase("0801", "invalid wireType 0 for field 1")]
    [TestCase("1200", "missing required field: Hash")]
    [TestCase("12021200", "missing required field: Hash")]
    [TestCase("0a05", "length 5 exceeds the remaining 0 bytes")]
    [TestCase("12051201610a00", "invalid order or duplicate field")]
    public void Decode_NonCanonical_ThrowsIpldFormatException(string hex, string message)
    {
        Assert.That(() => DagPb.Decode(Convert.FromHexString(hex)), Throws.TypeOf<IpldFormatException>().With.Message.Contains(message));
    }

    [Test]
    public void Decode_RandomBytes_OnlyEverThrowsIpldFormatException()
    {
        var random = new Random(7);
        var valid = DagPb.Encode(new PbNode([new PbLink(Hello, "name", 5)], new byte[] { 8, 2, 18, 1, 65 }));
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = (byte[])valid.Clone();
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                bytes = bytes[..random.Next(bytes.Length + 1)];
            }
            else
            {
                bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
            }

            try
            {
                var node = DagPb.Decode(bytes);
                if (node.Data is { } data)
                {
                    try
                    {
                        UnixFsData.Decode(data.Span);
                    }
                    catch (IpldFormatException)
                    {
                    }
                }
            }
            catch (IpldFormatException)
            {
            }
        }
    }

    [Test]
    public async Task Encode_SameBytesAsJsIpldDagPb()
    {
        PbNode[] nodes =
        [
            new([], null),
            new([], new byte[] { 8, 1 }),
            new([new PbLink(RawEmpty, "a", 0), new PbLink(Hello, "b", 20)], new byte[] { 8, 1 }),
            new([new PbLink(Hello, "", 262158)], new UnixFsData { Type = UnixFsType.File, FileSize = 262144, BlockSizes = [262144] }.Encode()),
            new([new PbLink(Hello.ToV1(), "\u00c4rger \u2603", 1UL << 40)], null),
        ];
        var described = nodes.Select(n => new
        {
            data = n.Data is { } d ? Convert.ToHexStringLower(d.Span) : null,
            links = n.Links.Select(l => new { hash = l.Hash.ToString(), name = l.Name, tsize = l.Tsize }),
        });
        const string Script = """
            const fs = require('fs');
            (async () => {
              const pb = await import('@ipld/dag-pb');
              const { CID } = await import('multiformats/cid');
              const nodes = JSON.parse(fs.readFileSync(0, 'utf8'));
              const out = nodes.map(n => {
                const node = { Links: n.links.map(l => ({ Hash: CID.parse(l.hash), Name: l.name, Tsize: l.tsize })) };
                if (n.data !== null) node.Data = Buffer.from(n.data, 'hex');
                return Buffer.from(pb.encode(node)).toString('hex');
              });
              process.stdout.write(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(Script, JsonSerializer.Serialize(described));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var expected = JsonSerializer.Deserialize<string[]>(result.Stdout)!;
        Assert.That(nodes.Select(n => Convert.ToHexStringLower(DagPb.Encode(n))), Is.EqualTo(expected));
    }
}
