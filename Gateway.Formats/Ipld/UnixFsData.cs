namespace CompositeGateway.Ipld;

/// <summary>UnixFS node kinds (docs/protocol/unixfs.md §2, <c>Data.DataType</c>).</summary>
internal enum UnixFsType
{
    Raw = 0,
    Directory = 1,
    File = 2,
    Metadata = 3,
    Symlink = 4,
    HamtShard = 5,
}

/// <summary>UnixFS <c>UnixTime</c>: whole seconds and optional nanoseconds.</summary>
internal readonly record struct UnixFsTime(long Seconds, uint? FractionalNanoseconds);

/// <summary>
/// The UnixFS <c>Data</c> protobuf carried in a dag-pb node's Data field (docs/protocol/unixfs.md §2):
/// Type = 1, Data = 2, filesize = 3, blocksizes = 4, hashType = 5, fanout = 6, mode = 7, mtime = 8.
/// It is proto2, so <c>blocksizes</c> is written unpacked — one tag per value — exactly as
/// go-unixfs/boxo and js-ipfs-unixfs emit it; fields are written in field-number order.
/// </summary>
internal sealed record UnixFsData
{
    public UnixFsType Type { get; init; }

    /// <summary>File content held in this node; null leaves the field out (Kubo omits it when empty).</summary>
    public ReadOnlyMemory<byte>? Data { get; init; }

    public ulong? FileSize { get; init; }

    public IReadOnlyList<ulong> BlockSizes { get; init; } = [];

    public ulong? HashType { get; init; }

    public ulong? Fanout { get; init; }

    public uint? Mode { get; init; }

    public UnixFsTime? Mtime { get; init; }

    public int GetEncodedLength()
    {
        var length = ProtoWriter.VarintFieldSize(1, (ulong)Type);
        if (Data is { } data)
        {
            length += ProtoWriter.BytesFieldSize(2, data.Length);
        }

        if (FileSize is { } fileSize)
        {
            length += ProtoWriter.VarintFieldSize(3, fileSize);
        }

        foreach (var size in BlockSizes)
        {
            length += ProtoWriter.VarintFieldSize(4, size);
        }

        if (HashType is { } hashType)
        {
            length += ProtoWriter.VarintFieldSize(5, hashType);
        }

        if (Fanout is { } fanout)
        {
            length += ProtoWriter.VarintFieldSize(6, fanout);
        }

        if (Mode is { } mode)
        {
            length += ProtoWriter.VarintFieldSize(7, mode);
        }

        if (Mtime is { } mtime)
        {
            length += ProtoWriter.BytesFieldSize(8, GetTimeLength(mtime));
        }

        return length;
    }

    public int WriteTo(Span<byte> destination)
    {
        var writer = new ProtoWriter(destination);
        writer.WriteVarintField(1, (ulong)Type);
        if (Data is { } data)
        {
            writer.WriteBytesField(2, data.Span);
        }

        if (FileSize is { } fileSize)
        {
            writer.WriteVarintField(3, fileSize);
        }

        foreach (var size in BlockSizes)
        {
            writer.WriteVarintField(4, size);
        }

        if (HashType is { } hashType)
        {
            writer.WriteVarintField(5, hashType);
        }

        if (Fanout is { } fanout)
        {
            writer.WriteVarintField(6, fanout);
        }

        if (Mode is { } mode)
        {
            writer.WriteVarintField(7, mode);
        }

        if (Mtime is { } mtime)
        {
            writer.WriteTag(8, WireType.LengthDelimited);
            writer.WriteRawVarint((ulong)GetTimeLength(mtime));
            writer.WriteVarintField(1, (ulong)mtime.Seconds);
            if (mtime.FractionalNanoseconds is { } nanos)
            {
                writer.WriteFixed32Field(2, nanos);
            }
        }

        return writer.Position;
    }

    public byte[] Encode()
    {
        var bytes = new byte[GetEncodedLength()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Decodes UnixFS Data; unknown fields are skipped (proto2), packed blocksizes accepted.</summary>
    public static UnixFsData Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "UnixFS Data");
        UnixFsType? type = null;
        ReadOnlyMemory<byte>? data = null;
        ulong? fileSize = null, hashType = null, fanout = null;
        uint? mode = null;
        UnixFsTime? mtime = null;
        var blockSizes = new List<ulong>();
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.Varint, field);
                    var t = reader.ReadVarint();
                    type = t <= (ulong)UnixFsType.HamtShard ? (UnixFsType)t : throw reader.Error("unknown Type " + t);
                    break;
                case 2:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    data = reader.ReadLengthDelimited().ToArray();
                    break;
                case 3:
                    reader.Expect(wire, WireType.Varint, field);
                    fileSize = reader.ReadVarint();
                    break;
                case 4 when wire == WireType.LengthDelimited:
                    var packed = new ProtoReader(reader.ReadLengthDelimited(), "UnixFS blocksizes");
                    while (!packed.End)
                    {
                        blockSizes.Add(packed.ReadVarint());
                    }

                    break;
                case 4:
                    reader.Expect(wire, WireType.Varint, field);
                    blockSizes.Add(reader.ReadVarint());
                    break;
                case 5:
                    reader.Expect(wire, WireType.Varint, field);
                    hashType = reader.ReadVarint();
                    break;
                case 6:
                    reader.Expect(wire, WireType.Varint, field);
                    fanout = reader.ReadVarint();
                    break;
                case 7:
                    reader.Expect(wire, WireType.Varint, field);
                    mode = (uint)reader.ReadVarint();
                    break;
                case 8:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    mtime = DecodeTime(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (type is null)
        {
            throw reader.Error("missing required field: Type");
        }

        return new UnixFsData
        {
            Type = type.Value,
            Data = data,
            FileSize = fileSize,
            BlockSizes = blockSizes,
            HashType = hashType,
            Fanout = fanout,
            Mode = mode,
            Mtime = mtime,
        };
    }

    private static UnixFsTime DecodeTime(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "UnixTime");
        long seconds = 0;
        uint? nanos = null;
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == WireType.Varint)
            {
                seconds = (long)reader.ReadVarint();
            }
            else if (field == 2 && wire == WireType.Fixed32)
            {
                nanos = reader.ReadFixed32();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return new UnixFsTime(seconds, nanos);
    }

    private static int GetTimeLength(UnixFsTime time)
        => ProtoWriter.VarintFieldSize(1, (ulong)time.Seconds) + (time.FractionalNanoseconds is null ? 0 : ProtoWriter.TagSize(2) + 4);
}
