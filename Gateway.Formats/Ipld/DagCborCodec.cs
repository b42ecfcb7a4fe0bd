using System.Formats.Cbor;

namespace CompositeGateway.Ipld;

/// <summary>
/// DAG-CBOR (ipld.io/specs/codecs/dag-cbor): canonical CBOR — map keys are strings sorted length-first then
/// bytewise, integers in their shortest form, floats always 64-bit, definite lengths only — with links as
/// tag 42 around the CID's binary form prefixed by 0x00 (the identity multibase).
/// </summary>
internal static class DagCborCodec
{
    public const ulong LinkTag = 42;

    public static byte[] Encode(IpldNode node)
    {
        var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false);
        Write(writer, node, 0);
        return writer.Encode();
    }

    /// <summary>Decodes one DAG-CBOR value (definite lengths, string keys, tag 42 only); throws <see cref="IpldFormatException"/>.</summary>
    public static IpldNode Decode(ReadOnlyMemory<byte> cbor)
    {
        var reader = new CborReader(cbor, CborConformanceMode.Lax);
        try
        {
            var node = Read(reader, 0);
            if (reader.BytesRemaining != 0)
            {
                throw new IpldFormatException("dag-cbor: data after the value");
            }

            return node;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new IpldFormatException("dag-cbor: " + e.Message);
        }
    }

    private static void Write(CborWriter writer, IpldNode node, int depth)
    {
        if (depth > IpldNode.MaxDepth)
        {
            throw new IpldFormatException("dag-cbor: nesting too deep");
        }

        switch (node)
        {
            case IpldNull:
                writer.WriteNull();
                break;
            case IpldBool b:
                writer.WriteBoolean(b.Value);
                break;
            case IpldInteger i when i.Value >= 0:
                writer.WriteUInt64((ulong)i.Value);
                break;
            case IpldInteger i:
                // CBOR stores a negative n as −1 − n.
                writer.WriteCborNegativeIntegerRepresentation((ulong)(-1 - i.Value));
                break;
            case IpldFloat f:
                if (double.IsNaN(f.Value) || double.IsInfinity(f.Value))
                {
                    throw new IpldFormatException("dag-cbor: NaN and infinities are not allowed");
                }

                writer.WriteDouble(f.Value);
                break;
            case IpldString s:
                writer.WriteTextString(s.Value);
                break;
            case IpldBytes bytes:
                writer.WriteByteString(bytes.Value);
                break;
            case IpldLinkNode link:
                writer.WriteTag((CborTag)LinkTag);
                var binary = new byte[1 + link.Cid.ByteLength];
                link.Cid.WriteTo(binary.AsSpan(1));
                writer.WriteByteString(binary);
                break;
            case IpldList list:
                writer.WriteStartArray(list.Items.Count);
                foreach (var item in list.Items)
                {
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case IpldMap map:
                writer.WriteStartMap(map.Entries.Count);
                foreach (var (key, _, value) in map.Sorted())
                {
                    writer.WriteTextString(key);
                    Write(writer, value, depth + 1);
                }

                writer.WriteEndMap();
                break;
            default:
                throw new IpldFormatException("dag-cbor: unknown node " + node.GetType().Name);
        }
    }

    private static IpldNode Read(CborReader reader, int depth)
    {
        if (depth > IpldNode.MaxDepth)
        {
            throw new IpldFormatException("dag-cbor: nesting too deep");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
                return new IpldInteger(reader.ReadUInt64());
            case CborReaderState.NegativeInteger:
                return new IpldInteger(-1 - (Int128)reader.ReadCborNegativeIntegerRepresentation());
            case CborReaderState.ByteString:
                return new IpldBytes(reader.ReadByteString());
            case CborReaderState.TextString:
                return new IpldString(reader.ReadTextString());
            case CborReaderState.Null:
                reader.ReadNull();
                return IpldNode.Null;
            case CborReaderState.Boolean:
                return new IpldBool(reader.ReadBoolean());
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return new IpldFloat(reader.ReadDouble());
            case CborReaderState.Tag:
                var tag = (ulong)reader.ReadTag();
                if (tag != LinkTag)
                {
                    throw new IpldFormatException($"dag-cbor: tag {tag} is not allowed (only 42, links)");
                }

                var binary = reader.ReadByteString();
                if (binary is not [0x00, ..])
                {
                    throw new IpldFormatException("dag-cbor: a link must be a byte string starting with 0x00");
                }

                try
                {
                    return new IpldLinkNode(Cid.FromBytes(binary.AsSpan(1)));
                }
                catch (CidFormatException e)
                {
                    throw new IpldFormatException("dag-cbor: invalid link: " + e.Message);
                }

            case CborReaderState.StartArray:
                var count = reader.ReadStartArray() ?? throw new IpldFormatException("dag-cbor: indefinite-length arrays are not allowed");
                var items = new List<IpldNode>(Math.Min(count, 1024));
                for (var i = 0; i < count; i++)
                {
                    items.Add(Read(reader, depth + 1));
                }

                reader.ReadEndArray();
                return new IpldList(items);
            case CborReaderState.StartMap:
                var pairs = reader.ReadStartMap() ?? throw new IpldFormatException("dag-cbor: indefinite-length maps are not allowed");
                var entries = new List<KeyValuePair<string, IpldNode>>(Math.Min(pairs, 1024));
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < pairs; i++)
                {
                    if (reader.PeekState() != CborReaderState.TextString)
                    {
                        throw new IpldFormatException("dag-cbor: map keys must be strings");
                    }

                    var key = reader.ReadTextString();
                    if (!seen.Add(key))
                    {
                        throw new IpldFormatException($"dag-cbor: duplicate map key \"{key}\"");
                    }

                    entries.Add(new(key, Read(reader, depth + 1)));
                }

                reader.ReadEndMap();
                return new IpldMap(entries);
            default:
                throw new IpldFormatException($"dag-cbor: unexpected {reader.PeekState()}");
        }
    }
}
