using System.Text;
using System.Text.Json;

namespace CompositeGateway.Ipld;

/// <summary>
/// Reading dag-cbor (ipld/specs block-layer/codecs/dag-cbor.md) enough to find its links (tag 42
/// over a byte string holding 0x00 then a binary CID) and to print it as dag-json the way Kubo's
/// <c>dag get</c> does: links as <c>{"/":"cid"}</c>, bytes as <c>{"/":{"bytes":"base64, no padding"}}</c>,
/// map keys in the order they are stored (dag-cbor keeps them length-first, which is also the order
/// go-ipld-prime's dag-json encoder sorts into). Definite lengths only, as dag-cbor requires.
/// </summary>
internal static class DagCbor
{
    private const int MaxDepth = 64;

    /// <summary>Every link in <paramref name="block"/>, in document order. Throws <see cref="IpldFormatException"/>.</summary>
    public static IReadOnlyList<Cid> Links(ReadOnlySpan<byte> block)
    {
        var links = new List<Cid>();
        var position = 0;
        Read(block, ref position, 0, null, links);
        return position == block.Length ? links : throw Error("trailing bytes");
    }

    /// <summary>Writes <paramref name="block"/> as one dag-json value. Throws <see cref="IpldFormatException"/>.</summary>
    public static void WriteDagJson(ReadOnlySpan<byte> block, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var position = 0;
        Read(block, ref position, 0, writer, null);
        if (position != block.Length)
        {
            throw Error("trailing bytes");
        }
    }

    /// <summary>dag-json's bytes form: <c>{"/":{"bytes":"…"}}</c>, standard base64 without padding.</summary>
    public static void WriteDagJsonBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WritePropertyName("/");
        writer.WriteStartObject();
        writer.WriteString("bytes", Convert.ToBase64String(bytes).TrimEnd('='));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>dag-json's link form: <c>{"/":"cid"}</c>.</summary>
    public static void WriteDagJsonLink(Utf8JsonWriter writer, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cid);
        writer.WriteStartObject();
        writer.WriteString("/", cid.ToString());
        writer.WriteEndObject();
    }

    private static void Read(ReadOnlySpan<byte> bytes, ref int position, int depth, Utf8JsonWriter? writer, List<Cid>? links)
    {
        if (depth > MaxDepth)
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
                writer?.WriteNumberValue(argument);
                break;
            case 1:
                if (argument > long.MaxValue)
                {
                    throw Error("negative integer out of range");
                }

                writer?.WriteNumberValue(-1 - (long)argument);
                break;
            case 2:
                var data = Take(bytes, ref position, argument);
                if (writer is not null)
                {
                    WriteDagJsonBytes(writer, data);
                }

                break;
            case 3:
                var text = Take(bytes, ref position, argument);
                writer?.WriteStringValue(Utf8(text));
                break;
            case 4:
                CheckCount(bytes, position, argument);
                writer?.WriteStartArray();
                for (ulong i = 0; i < argument; i++)
                {
                    Read(bytes, ref position, depth + 1, writer, links);
                }

                writer?.WriteEndArray();
                break;
            case 5:
                CheckCount(bytes, position, argument);
                writer?.WriteStartObject();
                for (ulong i = 0; i < argument; i++)
                {
                    var (keyMajor, keyLength) = ReadHead(bytes, ref position);
                    if (keyMajor != 3)
                    {
                        throw Error("map key is not a string");
                    }

                    var key = Take(bytes, ref position, keyLength);
                    writer?.WritePropertyName(Utf8(key));
                    Read(bytes, ref position, depth + 1, writer, links);
                }

                writer?.WriteEndObject();
                break;
            case 6:
                if (argument != 42)
                {
                    throw Error("tag " + argument + " is not allowed in dag-cbor (only 42)");
                }

                var (cidMajor, cidLength) = ReadHead(bytes, ref position);
                var cidBytes = cidMajor == 2 ? Take(bytes, ref position, cidLength) : throw Error("tag 42 is not over a byte string");
                if (cidBytes.Length < 1 || cidBytes[0] != 0)
                {
                    throw Error("tag 42 bytes do not start with 0x00");
                }

                Cid cid;
                try
                {
                    cid = Cid.FromBytes(cidBytes[1..]);
                }
                catch (CidFormatException e)
                {
                    throw new IpldFormatException("dag-cbor: bad link: " + e.Message, e);
                }

                links?.Add(cid);
                if (writer is not null)
                {
                    WriteDagJsonLink(writer, cid);
                }

                break;
            default:
                WriteSimple(initial & 0x1F, argument, writer);
                break;
        }
    }

    private static void WriteSimple(int info, ulong argument, Utf8JsonWriter? writer)
    {
        switch (info)
        {
            case 20:
                writer?.WriteBooleanValue(false);
                return;
            case 21:
                writer?.WriteBooleanValue(true);
                return;
            case 22:
                writer?.WriteNullValue();
                return;
            case 25:
                writer?.WriteNumberValue((double)BitConverter.UInt16BitsToHalf((ushort)argument));
                return;
            case 26:
                writer?.WriteNumberValue(BitConverter.UInt32BitsToSingle((uint)argument));
                return;
            case 27:
                writer?.WriteNumberValue(BitConverter.UInt64BitsToDouble(argument));
                return;
            default:
                throw Error("unsupported simple value " + info);
        }
    }

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

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static IpldFormatException Error(string detail) => new("dag-cbor: " + detail);
}
