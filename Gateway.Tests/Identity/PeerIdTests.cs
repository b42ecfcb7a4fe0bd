using CompositeGateway.Identity;

namespace CompositeGateway.Tests.Identity;

public sealed class PeerIdTests
{
    // docs/protocol/peer-ids.md §4 (the libp2p specification's test vectors), Ed25519: protobuf PrivateKey and PublicKey, hex.
    private const string SpecPrivateKey = "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    private const string SpecPublicKey = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";

    // base58btc of 0x00 0x24 ‖ SpecPublicKey, computed independently (Python big-integer base58) and matching
    // the value other libp2p implementations publish for this vector.
    private const string SpecPeerId = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
    private const string SpecPeerIdCid = "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";

    [Test]
    public void FromPrivateKeyProtobuf_SpecVector_DerivesSpecPublicKeyAndPeerId()
    {
        var identity = GatewayIdentity.FromPrivateKeyProtobuf(Convert.FromHexString(SpecPrivateKey), out var error);
        Assert.That(identity, Is.Not.Null, error);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(identity!.PublicKeyProtobuf), Is.EqualTo(SpecPublicKey));
            Assert.That(identity.PeerId.ToString(), Is.EqualTo(SpecPeerId));
            Assert.That(identity.PublicKeyBase64, Is.EqualTo(Convert.ToBase64String(Convert.FromHexString(SpecPublicKey))));
            Assert.That(Convert.ToHexStringLower(identity.ExportPrivateKeyProtobuf()), Is.EqualTo(SpecPrivateKey));
        });
    }

    [Test]
    public void FromPrivateKeyProtobuf_LegacyNinetySixBytes_Accepted()
    {
        var data = Convert.FromHexString(SpecPrivateKey)[4..];
        byte[] legacy = [0x08, 0x01, 0x12, 0x60, .. data, .. data[32..]];
        Assert.That(GatewayIdentity.FromPrivateKeyProtobuf(legacy, out _)?.PeerId.ToString(), Is.EqualTo(SpecPeerId));
    }

    [Test]
    public void FromPrivateKeyProtobuf_MismatchedPublicKey_Refused()
    {
        var bytes = Convert.FromHexString(SpecPrivateKey);
        bytes[^1] ^= 1;
        Assert.That(GatewayIdentity.FromPrivateKeyProtobuf(bytes, out var error), Is.Null);
        Assert.That(error, Is.EqualTo("the stored public key does not match the private key"));
    }

    [Test]
    public void FromPrivateKeyProtobuf_RsaKeyType_Refused()
    {
        Assert.That(GatewayIdentity.FromPrivateKeyProtobuf([0x08, 0x00, 0x12, 0x01, 0xAA], out var error), Is.Null);
        Assert.That(error, Is.EqualTo("key type 0 is not Ed25519 (1)"));
    }

    [Test]
    public void Generate_NewKey_PeerIdIsInlineEd25519()
    {
        var identity = GatewayIdentity.Generate();
        Assert.Multiple(() =>
        {
            Assert.That(identity.PeerId.ToString(), Does.StartWith("12D3KooW"));
            Assert.That(identity.PeerId.Multihash[..4].ToArray(), Is.EqualTo(new byte[] { 0x00, 0x24, 0x08, 0x01 }));
            Assert.That(identity.PublicKeyBase64, Does.StartWith("CAESI"));
        });
    }

    [Test]
    public void Generate_ManyKeys_EveryOneNewAndRestorable()
    {
        var identities = Enumerable.Range(0, 200).Select(_ => GatewayIdentity.Generate()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(identities.Select(i => i.PeerId.ToString()).Distinct().Count(), Is.EqualTo(identities.Count));
            foreach (var identity in identities.Take(3))
            {
                var restored = GatewayIdentity.FromPrivateKeyProtobuf(identity.ExportPrivateKeyProtobuf(), out var error);
                Assert.That(restored?.PeerId, Is.EqualTo(identity.PeerId), error);
            }
        });
    }

    [TestCase(SpecPeerId)]
    [TestCase(SpecPeerIdCid)]
    [TestCase("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")]
    public void TryParse_ValidForms_Accepted(string text)
    {
        Assert.That(PeerId.TryParse(text, out var id), Is.True);
        Assert.That(PeerId.Parse(id!.ToString()), Is.EqualTo(id));
    }

    [Test]
    public void TryParse_CidAndBase58OfSameKey_Equal()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PeerId.Parse(SpecPeerIdCid), Is.EqualTo(PeerId.Parse(SpecPeerId)));
            Assert.That(PeerId.Parse(SpecPeerIdCid).ToString(), Is.EqualTo(SpecPeerId));
            Assert.That(PeerId.Parse(SpecPeerId).ToCidString(), Is.EqualTo(SpecPeerIdCid));
            Assert.That(PeerId.Parse(SpecPeerIdCid.ToUpperInvariant()), Is.EqualTo(PeerId.Parse(SpecPeerId)));
        });
    }

    [Test]
    public void TryParse_Base36Cid_Accepted()
    {
        // Kubo prints libp2p-key CIDs in base36 (k…) for IPNS names; built here from the base32 bytes.
        var bytes = SimpleBase.Base32.Rfc4648.Decode(SpecPeerIdCid[1..].ToUpperInvariant());
        var value = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var digits = new System.Text.StringBuilder();
        while (!value.IsZero)
        {
            digits.Insert(0, "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)]);
            value /= 36;
        }

        Assert.That(PeerId.Parse("k" + digits), Is.EqualTo(PeerId.Parse(SpecPeerId)));
    }

    [TestCase("")]
    [TestCase("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p")]       // truncated: length prefix no longer matches
    [TestCase("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq1")]     // trailing garbage
    [TestCase("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0")]      // 0 is not base58
    [TestCase("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5")]             // sha2-256 digest too short
    [TestCase("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")] // a CID, but dag-pb, not libp2p-key
    [TestCase("not a peer id")]
    public void TryParse_Invalid_Rejected(string text) => Assert.That(PeerId.TryParse(text, out _), Is.False);
}
