namespace CompositeGateway.Ipld;

/// <summary>Protobuf wire types (protobuf.dev/programming-guides/encoding).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// Just enough protobuf writing for dag-pb and UnixFS, into a caller-sized span so blocks can be
/// built in pooled buffers. Protobuf varints are the same LEB128 as <see cref="Varint"/> but may be
/// 10 bytes long (negative int64), which <see cref="Varint.Write"/> handles.
/// </summary>
internal ref struct ProtoWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Position { get; private set; }

    public static int TagSize(int field) => Varint.SizeOf((ulong)field << 3);

    public static int VarintFieldSize(int field, ulong value) => TagSize(field) + Varint.SizeOf(value);

    public static int BytesFieldSize(int field, int length) => TagSize(field) + Varint.SizeOf((ulong)length) + length;

    public void WriteTag(int field, WireType type) => WriteRawVarint(((ulong)field << 3) | (ulong)type);

    public void WriteRawVarint(ulong value) => Position += Varint.Write(_destination[Position..], value);

    public void WriteVarintField(int field, ulong value)
    {
        WriteTag(field, WireType.Varint);
        WriteRawVarint(value);
    }

    public void WriteBytesField(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        value.CopyTo(_destination[Position..]);
        Position += value.Length;
    }

    public void WriteStringField(int field, string value)
    {
        WriteTag(field, WireType.LengthDelimited);
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteRawVarint((ulong)length);
        Position += System.Text.Encoding.UTF8.GetBytes(value, _destination.Slice(Position, length));
    }

    public void WriteFixed32Field(int field, uint value)
    {
        WriteTag(field, WireType.Fixed32);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_destination[Position..], value);
        Position += 4;
    }
}

/// <summary>Protobuf reading for dag-pb and UnixFS; throws <see cref="IpldFormatException"/> on malformed input.</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> source, string message)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private readonly string _message = message;
    private int _position;

    public readonly bool End => _position >= _source.Length;

    public (int Field, WireType Type) ReadTag()
    {
        var key = ReadVarint();
        var field = key >> 3;
        if (field is 0 or > int.MaxValue)
        {
            throw Error("invalid field number " + field);
        }

        return ((int)field, (WireType)(key & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (_position >= _source.Length)
            {
                throw Error("unexpected end of data");
            }

            var b = _source[_position++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Error("varint overflow");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_source.Length - _position))
        {
            throw Error("length " + length + " exceeds the remaining " + (_source.Length - _position) + " bytes");
        }

        var slice = _source.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public uint ReadFixed32()
    {
        if (_source.Length - _position < 4)
        {
            throw Error("unexpected end of data");
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_source[_position..]);
        _position += 4;
        return value;
    }

    public void Skip(WireType type)
    {
        switch (type)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                ReadFixed32();
                break;
            case WireType.Fixed64:
                ReadFixed32();
                ReadFixed32();
                break;
            default:
                throw Error("unsupported wire type " + (int)type);
        }
    }

    public readonly IpldFormatException Error(string detail) => new("protobuf: (" + _message + ") " + detail);

    public readonly void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected)
        {
            throw Error("invalid wireType " + (int)actual + " for field " + field);
        }
    }
}
