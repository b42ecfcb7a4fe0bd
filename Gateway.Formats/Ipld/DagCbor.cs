using System.Formats.Cbor;
using System.Text;
using System.Text.Json;

namespace CompositeGateway.Ipld;

/// <summary>
/// The dag-cbor codec (ipld.io/specs/codecs/dag-cbor): canonical CBOR — map keys are strings sorted length-first
/// then bytewise, integers in their shortest form, floats always 64-bit, definite lengths only — with links as
/// tag 42 around the CID's binary form prefixed by 0x00 (the identity multibase).
/// <para>
/// One reader (<see cref="Decode(ReadOnlySpan{byte})"/>, on <see cref="CborHead"/>) serves every reading use: <c>dag/put</c>'s
/// transcoding, the links a DAG walk follows (<see cref="Links"/>) and <c>dag get</c>'s dag-json
/// (<see cref="WriteDagJson(ReadOnlySpan{byte}, Utf8JsonWriter)"/>); writing goes through <see cref="CborWriter"/>, which already writes canonical
/// heads. Decoding is strict where dag-cbor is (definite lengths, string keys without duplicates, tag 42 only).
/// </para>
/// </summary>
internal static class DagCbor
{
    public const ulong LinkTag = 42;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(IpldNode node)
    {
        var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false);
        Write(writer, node, 0);
        return writer.Encode();
    }

    /// <summary>Decodes one dag-cbor value; throws <see cref="IpldFormatException"/>.</summary>
    public static IpldNode Decode(ReadOnlyMemory<byte> cbor) => Decode(cbor.Span);

    /// <inheritdoc cref="Decode(ReadOnlyMemory{byte})"/>
    public static IpldNode Decode(ReadOnlySpan<byte> cbor)
    {
        var position = 0;
        var node = Read(cbor, ref position, 0);
        return position == cbor.Length ? node : throw Error("trailing bytes");
    }

    /// <summary>Every link in <paramref name="block"/>, in document order. Throws <see cref="IpldFormatException"/>.</summary>
    public static IReadOnlyList<Cid> Links(ReadOnlySpan<byte> block)
    {
        var links = new List<Cid>();
        Collect(Decode(block), links);
        return links;

        static void Collect(IpldNode node, List<Cid> links)
        {
            switch (node)
            {
                case IpldLinkNode link:
                    links.Add(link.Cid);
                    break;
                case IpldList list:
                    foreach (var item in list.Items)
                    {
                        Collect(item, links);
                    }

                    break;
                case IpldMap map:
                    foreach (var entry in map.Entries)
                    {
                        Collect(entry.Value, links);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="block"/> as one dag-json value the way Kubo's <c>dag get</c> does: links as
    /// <c>{"/":"cid"}</c>, bytes as <c>{"/":{"bytes":"base64, no padding"}}</c>, map keys in the order they are
    /// stored (<see cref="DagJson.WriteAsStored"/>). Throws <see cref="IpldFormatException"/>.
    /// </summary>
    public static void WriteDagJson(ReadOnlySpan<byte> block, Utf8JsonWriter writer) => DagJson.WriteAsStored(Decode(block), writer);

    /// <inheritdoc cref="DagJson.WriteBytes"/>
    public static void WriteDagJsonBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes) => DagJson.WriteBytes(writer, bytes);

    /// <inheritdoc cref="DagJson.WriteLink"/>
    public static void WriteDagJsonLink(Utf8JsonWriter writer, Cid cid) => DagJson.WriteLink(writer, cid);

    private static void Write(CborWriter writer, IpldNode node, int depth)
    {
        if (depth > IpldNode.MaxDepth)
        {
            throw Error("nesting too deep");
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
                    throw Error("NaN and infinities are not allowed");
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
                throw Error("unknown node " + node.GetType().Name);
        }
    }

    private static IpldNode Read(ReadOnlySpan<byte> bytes, ref int position, int depth)
    {
        if (depth > IpldNode.MaxDepth)
        {
            throw Error("nested too deeply");
        }

        if (position >= bytes.Length)
        {
            throw Error("unexpected end of data");
        }

        var initial = bytes[position];
        var (major, argument) = ReadHead(bytes, ref position);
        switch (major)
        {
            case 0:
                return new IpldInteger(argument);
            case 1:
                // CBOR stores a negative n as −1 − n.
                return new IpldInteger(-1 - (Int128)argument);
            case 2:
                return new IpldBytes(Take(bytes, ref position, argument).ToArray());
            case 3:
                return new IpldString(Utf8(Take(bytes, ref position, argument)));
            case 4:
                CheckCount(bytes, position, argument);
                var items = new List<IpldNode>((int)Math.Min(argument, 1024));
                for (ulong i = 0; i < argument; i++)
                {
                    items.Add(Read(bytes, ref position, depth + 1));
                }

                return new IpldList(items);
            case 5:
                CheckCount(bytes, position, argument);
                var entries = new List<KeyValuePair<string, IpldNode>>((int)Math.Min(argument, 1024));
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (ulong i = 0; i < argument; i++)
                {
                    var (keyMajor, keyLength) = ReadHead(bytes, ref position);
                    if (keyMajor != 3)
                    {
                        throw Error("map key is not a string");
                    }

                    var key = Utf8(Take(bytes, ref position, keyLength));
                    if (!seen.Add(key))
                    {
                        throw Error($"duplicate map key \"{key}\"");
                    }

                    entries.Add(new(key, Read(bytes, ref position, depth + 1)));
                }

                return new IpldMap(entries);
            case 6:
                return new IpldLinkNode(ReadLink(bytes, ref position, argument));
            default:
                return Simple(initial & 0x1F, argument);
        }
    }

    private static Cid ReadLink(ReadOnlySpan<byte> bytes, ref int position, ulong tag)
    {
        if (tag != LinkTag)
        {
            throw Error("tag " + tag + " is not allowed in dag-cbor (only 42)");
        }

        var (cidMajor, cidLength) = ReadHead(bytes, ref position);
        var cidBytes = cidMajor == 2 ? Take(bytes, ref position, cidLength) : throw Error("tag 42 is not over a byte string");
        if (cidBytes.Length < 1 || cidBytes[0] != 0)
        {
            throw Error("tag 42 bytes do not start with 0x00");
        }

        try
        {
            return Cid.FromBytes(cidBytes[1..]);
        }
        catch (CidFormatException e)
        {
            throw new IpldFormatException("dag-cbor: bad link: " + e.Message, e);
        }
    }

    private static IpldNode Simple(int info, ulong argument) => info switch
    {
        20 => new IpldBool(false),
        21 => new IpldBool(true),
        22 => IpldNode.Null,
        25 => new IpldFloat((double)BitConverter.UInt16BitsToHalf((ushort)argument)),
        26 => new IpldFloat(BitConverter.UInt32BitsToSingle((uint)argument)),
        27 => new IpldFloat(BitConverter.UInt64BitsToDouble(argument)),
        _ => throw Error("unsupported simple value " + info),
    };

    private static (int Major, ulong Argument) ReadHead(ReadOnlySpan<byte> bytes, ref int position) =>
        CborHead.TryRead(bytes, ref position, out var major, out var argument, out var info) switch
        {
            CborHeadStatus.Ok => (major, argument),
            CborHeadStatus.Truncated => throw Error("unexpected end of data"),
            _ => throw Error("indefinite or reserved length " + info),
        };

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> bytes, ref int position, ulong length)
    {
        if (length > (ulong)(bytes.Length - position))
        {
            throw Error("unexpected end of data");
        }

        var slice = bytes.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    private static void CheckCount(ReadOnlySpan<byte> bytes, int position, ulong count)
    {
        // Every element takes at least a byte: a larger count cannot be honest.
        if (count > (ulong)(bytes.Length - position))
        {
            throw Error("unexpected end of data");
        }
    }

    private static string Utf8(ReadOnlySpan<byte> text)
    {
        try
        {
            return StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
    }

    private static IpldFormatException Error(string detail) => new("dag-cbor: " + detail);
}
