using System.Text;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Ipld;

public sealed class CidTests
{
    // `echo "hello world" | ipfs add` and `ipfs cid format -v 1 -b base32` of it (checked with
    // js multiformats 14: CID.parse(HelloV0).toV1()). Note bafybeif7ztnhq65…lb4y, sometimes quoted
    // as this file's v1, is the v1 of QmbFMke1… (the EMPTY file); see EmptyFileV1 below.
    private const string HelloV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
    private const string HelloV1 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";
    private const string EmptyFileV0 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";
    private const string EmptyFileV1 = "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y";

    [Test]
    public void Parse_CidV0_ReadsSha256DagPb()
    {
        var cid = Cid.Parse(HelloV0);

        Assert.Multiple(() =>
        {
            Assert.That(cid.Version, Is.Zero);
            Assert.That(cid.Codec, Is.EqualTo(Multicodec.DagPb));
            Assert.That(cid.Multihash.Code, Is.EqualTo(Multicodec.Sha2_256));
            Assert.That(cid.Multihash.Digest.Length, Is.EqualTo(32));
            Assert.That(cid.ByteLength, Is.EqualTo(34));
            Assert.That(cid.ToString(), Is.EqualTo(HelloV0));
        });
    }

    [Test]
    public void ToV1_CidV0_GivesKnownBase32Form()
    {
        var v1 = Cid.Parse(HelloV0).ToV1();

        Assert.Multiple(() =>
        {
            Assert.That(v1.ToString(), Is.EqualTo(HelloV1));
            Assert.That(v1, Is.EqualTo(Cid.Parse(HelloV1)));
            Assert.That(v1.Multihash, Is.EqualTo(Cid.Parse(HelloV0).Multihash));
        });
    }

    [Test]
    public void ToV1_EmptyFileV0_IsTheOftenMisattributedBafy()
    {
        Assert.That(Cid.Parse(EmptyFileV0).ToV1().ToString(), Is.EqualTo(EmptyFileV1));
    }

    [Test]
    public void Equals_V0AndV1OfSameMultihash_AreDifferent()
    {
        var v0 = Cid.Parse(HelloV0);
        var v1 = Cid.Parse(HelloV1);

        Assert.Multiple(() =>
        {
            Assert.That(v0, Is.Not.EqualTo(v1));
            Assert.That(v0 == v1, Is.False);
            Assert.That(v0 == Cid.Parse(HelloV0), Is.True);
            Assert.That(v0.GetHashCode(), Is.EqualTo(Cid.Parse(HelloV0).GetHashCode()));
        });
    }

    [TestCase(Multibase.Base32, 'b')]
    [TestCase(Multibase.Base32Upper, 'B')]
    [TestCase(Multibase.Base58Btc, 'z')]
    [TestCase(Multibase.Base16, 'f')]
    [TestCase(Multibase.Base16Upper, 'F')]
    [TestCase(Multibase.Base64, 'm')]
    [TestCase(Multibase.Base64Pad, 'M')]
    [TestCase(Multibase.Base64Url, 'u')]
    [TestCase(Multibase.Base64UrlPad, 'U')]
    [TestCase(Multibase.Base36, 'k')]
    [TestCase(Multibase.Base36Upper, 'K')]
    public void Parse_V1InEveryMultibase_RoundTripsToSameCid(object encodingArgument, char prefix)
    {
        // NUnit fixtures are public and Multibase is internal, hence the object parameter.
        var encoding = (Multibase)encodingArgument;
        var cid = Cid.Parse(HelloV1);

        var text = cid.ToString(encoding);
        var parsed = Cid.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(text[0], Is.EqualTo(prefix));
            Assert.That(parsed, Is.EqualTo(cid));
            Assert.That(parsed.ToString(), Is.EqualTo(HelloV1));
        });
    }

    [TestCase("f0170122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e")]
    public void Parse_Base16_DecodesBytes(string text)
    {
        var cid = Cid.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(cid.Version, Is.EqualTo(1));
            Assert.That(cid.Codec, Is.EqualTo(Multicodec.DagPb));
            Assert.That(cid.ToString(Multibase.Base16), Is.EqualTo(text));
        });
    }

    [Test]
    public void Parse_KnownMultibaseForms_Agree()
    {
        // The same CID as other tools print it (base16 is the raw bytes, hand-checkable).
        var hex = "f" + Convert.ToHexStringLower(Cid.Parse(HelloV1).Bytes.Span);
        Assert.Multiple(() =>
        {
            Assert.That(hex, Does.StartWith("f01701220"));
            Assert.That(Cid.Parse(hex), Is.EqualTo(Cid.Parse(HelloV1)));
            Assert.That(Cid.Parse(HelloV1.ToUpperInvariant()), Is.EqualTo(Cid.Parse(HelloV1)), "B prefix, uppercase base32");
        });
    }

    [Test]
    public void Parse_RawAndIdentityAndLibp2pKey_KeepCodecAndHash()
    {
        var raw = Cid.Parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        var identity = Cid.Parse("bafkqaaa");
        var key = Cid.V1(Multicodec.Libp2pKey, Multihash.Identity(Encoding.ASCII.GetBytes("some public key bytes")));

        Assert.Multiple(() =>
        {
            Assert.That(raw.Codec, Is.EqualTo(Multicodec.Raw));
            Assert.That(raw.Multihash.Matches([]), Is.True, "raw CID of the empty block");
            Assert.That(identity.Multihash.Code, Is.EqualTo(Multicodec.Identity));
            Assert.That(identity.Multihash.Digest.Length, Is.Zero);
            Assert.That(Cid.Parse(key.ToString(Multibase.Base36)), Is.EqualTo(key));
            Assert.That(Cid.Parse(key.ToString(Multibase.Base36)).Codec, Is.EqualTo(Multicodec.Libp2pKey));
        });
    }

    [Test]
    public void FromBytes_ToBytes_RoundTrips()
    {
        foreach (var text in new[] { HelloV0, HelloV1, "bafkqaaa" })
        {
            var cid = Cid.Parse(text);
            Assert.That(Cid.FromBytes(cid.Bytes.Span), Is.EqualTo(cid), text);
        }
    }

    [Test]
    public void TryRead_CidFollowedByData_ReportsConsumedLength()
    {
        var cid = Cid.Parse(HelloV1);
        byte[] bytes = [.. cid.Bytes.Span, 1, 2, 3];

        Assert.Multiple(() =>
        {
            Assert.That(Cid.TryRead(bytes, out var read, out var consumed, out _), Is.True);
            Assert.That(read, Is.EqualTo(cid));
            Assert.That(consumed, Is.EqualTo(cid.ByteLength));
            Assert.That(() => Cid.FromBytes(bytes), Throws.TypeOf<CidFormatException>().With.Message.Contains("trailing bytes"));
        });
    }

    [TestCase("", "invalid cid: cid too short")]
    [TestCase("Q", "invalid cid: cid too short")]
    [TestCase("Qm", "invalid cid: selected encoding not supported")]
    [TestCase("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50", "invalid cid: base58: illegal character at position 45")]
    [TestCase("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5", "invalid cid: selected encoding not supported")]
    [TestCase("xafy", "invalid cid: selected encoding not supported")]
    [TestCase("bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4", "invalid cid: illegal data length 57 for this base")]
    [TestCase("bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb", "invalid cid: multihash length inconsistent: declared 32 digest bytes, 31 present")]
    [TestCase("bAFYBEIF7ZTNHQ65LUMVVTR4EKCWD2IFWGM3AWQ4ZFR3SRH462RWYINLB4Y", "invalid cid: illegal character at position 0")]
    [TestCase("f0270", "invalid cid: expected 1 as the cid version number, got: 2")]
    [TestCase("f01", "invalid cid: cid too short")]
    [TestCase("f017", "invalid cid: illegal data length 3 for this base")]
    [TestCase("f0170", "invalid cid: multihash too short")]
    [TestCase("f01f0", "invalid cid: unexpected end of varint")]
    [TestCase("f018000", "invalid cid: varint not minimally encoded")]
    [TestCase("f01ffffffffffffffffff01", "invalid cid: varints larger than uint63 not supported")]
    [TestCase("bafy beif", "invalid cid: illegal character at position 3")]
    [TestCase("mAXASIA==", "invalid cid: illegal character at position 6")]
    public void Parse_Garbage_ThrowsKuboLikeMessage(string text, string message)
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Cid.Parse(text), Throws.TypeOf<CidFormatException>().With.Message.EqualTo(message));
            Assert.That(Cid.TryParse(text, out var cid, out var error), Is.False);
            Assert.That(cid, Is.Null);
            Assert.That(error, Is.EqualTo(message));
        });
    }

    [Test]
    public void Parse_TooLong_IsRefusedBeforeDecoding()
    {
        Assert.That(Cid.TryParse("z" + new string('2', Cid.MaxStringLength), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo("invalid cid: cid too long"));
    }

    [Test]
    public void Parse_RandomGarbage_OnlyEverThrowsCidFormatException()
    {
        var random = new Random(12345);
        const string Alphabet = "bBzfFmMuUkKQm0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=+/-_ \u00e9\u0000";
        var valid = new[] { HelloV0, HelloV1, Cid.Parse(HelloV1).ToString(Multibase.Base58Btc), Cid.Parse(HelloV1).ToString(Multibase.Base64Url) };
        for (var i = 0; i < 20_000; i++)
        {
            string text;
            if (i % 2 == 0)
            {
                // Mutations of valid CIDs hit the deeper layers (varints, multihash lengths).
                var chars = valid[i % valid.Length].ToCharArray();
                var edits = random.Next(1, 4);
                for (var e = 0; e < edits; e++)
                {
                    chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                }

                text = new string(chars, 0, random.Next(1, chars.Length + 1));
            }
            else
            {
                var length = random.Next(0, 80);
                var chars = new char[length];
                for (var c = 0; c < length; c++)
                {
                    chars[c] = Alphabet[random.Next(Alphabet.Length)];
                }

                text = new string(chars);
            }

            Assert.DoesNotThrow(() => Cid.TryParse(text, out _, out _), text);
            try
            {
                var cid = Cid.Parse(text);
                Assert.That(Cid.FromBytes(cid.Bytes.Span), Is.EqualTo(cid), text);
            }
            catch (CidFormatException)
            {
            }
        }
    }

    [Test]
    public void FromBytes_RandomBytes_OnlyEverThrowsCidFormatException()
    {
        var random = new Random(54321);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            if (bytes.Length > 1 && i % 3 == 0)
            {
                bytes[0] = 1;
            }

            try
            {
                var cid = Cid.FromBytes(bytes);
                Assert.That(cid.Bytes.ToArray(), Is.EqualTo(bytes));
            }
            catch (CidFormatException)
            {
            }
        }
    }

    [Test]
    public void Hash_V0WithRawCodec_IsRefused()
    {
        Assert.That(() => Cid.Hash(0, Multicodec.Raw, []), Throws.ArgumentException);
    }
}
