using System.Text;
using System.Text.Json;

using CompositeGateway.Lab.Connector;

namespace CompositeGateway.Tests.Lab.Connector;

/// <summary>The harness must judge like Go's decoder, or tests of the surface prove nothing.</summary>
public sealed class GoJsonDecoderTests
{
    [Test]
    public async Task DecodeAsync_ConcatenatedWithoutWhitespace_EachValueThenCleanEof()
    {
        var decoder = Decoder("""{"Progress":1}{"Progress":2}""" + "\n \n" + """{"Pins":["x"]}  """);

        var values = new List<string>();
        while (await decoder.DecodeAsync(CancellationToken.None) is { } value)
        {
            values.Add(value.GetRawText());
        }

        Assert.That(values, Is.EqualTo(new[] { """{"Progress":1}""", """{"Progress":2}""", """{"Pins":["x"]}""" }));
    }

    [Test]
    public async Task DecodeAsync_EmptyOrWhitespace_CleanEof()
    {
        Assert.That(await Decoder("").DecodeAsync(CancellationToken.None), Is.Null);
        Assert.That(await Decoder(" \n\t ").DecodeAsync(CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task DecodeAsync_ValueCutShort_UnexpectedEof()
    {
        var decoder = Decoder("""{"Progress":1}{"Progr""");

        await decoder.DecodeAsync(CancellationToken.None);

        Assert.That(async () => await decoder.DecodeAsync(CancellationToken.None), Throws.TypeOf<GoDecodeException>().With.Message.EqualTo("unexpected EOF"));
    }

    [Test]
    public async Task DecodeAsync_SyntaxError_DecodeError()
    {
        var decoder = Decoder("""{"Progress":1} nonsense""");

        await decoder.DecodeAsync(CancellationToken.None);

        Assert.That(async () => await decoder.DecodeAsync(CancellationToken.None), Throws.TypeOf<GoDecodeException>());
    }

    [Test]
    public async Task DecodeAsync_ValueLargerThanBuffer_Decoded()
    {
        var big = "{\"Pins\":[\"" + new string('a', 20_000) + "\"]}";

        var value = await Decoder(big).DecodeAsync(CancellationToken.None);

        Assert.That(value!.Value.GetRawText(), Has.Length.EqualTo(big.Length));
    }

    [TestCase("""{"Progress":12}""", 12)]
    [TestCase("""{"progress":12}""", 12)]
    [TestCase("""{"PROGRESS":-3}""", -3)]
    [TestCase("""{"Progress":null}""", 0)]
    [TestCase("""{"Pins":[]}""", 0)]
    public void Int_GoRules_Value(string json, long expected) =>
        Assert.That(GoJson.Int(Parse(json), "Progress", "ipfsPinsResp"), Is.EqualTo(expected));

    [TestCase("""{"Progress":1.5}""")]
    [TestCase("""{"Progress":1e3}""")]
    [TestCase("""{"Progress":"12"}""")]
    [TestCase("""{"Progress":true}""")]
    public void Int_NotAGoInt_DecodeError(string json) =>
        Assert.That(() => GoJson.Int(Parse(json), "Progress", "ipfsPinsResp"), Throws.TypeOf<GoDecodeException>());

    [TestCase("""{"RepoSize":18446744073709551615}""", ulong.MaxValue)]
    [TestCase("""{"reposize":0}""", 0UL)]
    public void Uint64_GoRules_Value(string json, ulong expected) =>
        Assert.That(GoJson.Uint64(Parse(json), "RepoSize", "IPFSRepoStat"), Is.EqualTo(expected));

    [TestCase("""{"RepoSize":-1}""")]
    [TestCase("""{"RepoSize":1.0}""")]
    [TestCase("""{"RepoSize":18446744073709551616}""")]
    [TestCase("""{"RepoSize":1e9}""")]
    public void Uint64_NotAGoUint64_DecodeError(string json) =>
        Assert.That(() => GoJson.Uint64(Parse(json), "RepoSize", "IPFSRepoStat"), Throws.TypeOf<GoDecodeException>());

    [Test]
    public void Field_ExactAndFolded_ExactWins()
    {
        var value = Parse("""{"message":"folded","Message":"exact"}""");

        Assert.That(GoJson.String(value, "Message", "ipfsError"), Is.EqualTo("exact"));
    }

    [TestCase("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", true)]
    [TestCase("QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u", true)]
    [TestCase("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8", true)]
    [TestCase("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", false)]
    [TestCase("not-a-peer", false)]
    [TestCase("", false)]
    public void GoPeerId_Check_LikePeerDecode(string text, bool valid) =>
        Assert.That(GoPeerId.Check(text), valid ? Is.Null : Is.Not.Null);

    private static GoJsonDecoder Decoder(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
