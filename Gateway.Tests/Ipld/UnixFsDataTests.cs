using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Ipld;

public sealed class UnixFsDataTests
{
    [Test]
    public void Encode_InternalFileNode_WritesBlocksizesUnpacked()
    {
        var data = new UnixFsData { Type = UnixFsType.File, FileSize = 262_145, BlockSizes = [262_144, 1] };

        // 08 02 | 18 varint(262145) | 20 varint(262144) | 20 01 — one tag per blocksize (proto2, not packed).
        Assert.That(Convert.ToHexStringLower(data.Encode()), Is.EqualTo("0802" + "18818010" + "2080801020" + "01"));
    }

    [Test]
    public void Encode_Leaf_WritesTypeDataFilesize()
    {
        var data = new UnixFsData { Type = UnixFsType.File, Data = "hello world\n"u8.ToArray(), FileSize = 12 };

        Assert.That(Convert.ToHexStringLower(data.Encode()), Is.EqualTo("0802" + "120c" + "68656c6c6f20776f726c640a" + "180c"));
    }

    [Test]
    public void Decode_AllFields_RoundTrips()
    {
        var data = new UnixFsData
        {
            Type = UnixFsType.HamtShard,
            Data = new byte[] { 1, 2 },
            FileSize = 9,
            BlockSizes = [4, 5],
            HashType = 0x22,
            Fanout = 256,
            Mode = Convert.ToUInt32("755", 8),
            Mtime = new UnixFsTime(-5, 123),
        };

        var decoded = UnixFsData.Decode(data.Encode());

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Type, Is.EqualTo(UnixFsType.HamtShard));
            Assert.That(decoded.Data!.Value.ToArray(), Is.EqualTo(new byte[] { 1, 2 }));
            Assert.That(decoded.FileSize, Is.EqualTo(9));
            Assert.That(decoded.BlockSizes, Is.EqualTo(new ulong[] { 4, 5 }));
            Assert.That(decoded.HashType, Is.EqualTo(0x22));
            Assert.That(decoded.Fanout, Is.EqualTo(256));
            Assert.That(decoded.Mode, Is.EqualTo(Convert.ToUInt32("755", 8)));
            Assert.That(decoded.Mtime, Is.EqualTo(new UnixFsTime(-5, 123)));
            Assert.That(decoded.Encode(), Is.EqualTo(data.Encode()));
        });
    }

    [Test]
    public void Decode_PackedBlocksizes_AreAccepted()
    {
        var decoded = UnixFsData.Decode(Convert.FromHexString("0802" + "1803" + "22020102"));

        Assert.That(decoded.BlockSizes, Is.EqualTo(new ulong[] { 1, 2 }));
    }

    [Test]
    public void Decode_NoType_Throws()
    {
        Assert.That(() => UnixFsData.Decode(Convert.FromHexString("1801")), Throws.TypeOf<IpldFormatException>().With.Message.Contains("Type"));
    }
}
