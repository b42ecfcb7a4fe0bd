using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CompositeGateway.Ipld;

/// <summary>
/// DAG-JSON (ipld.io/specs/codecs/dag-json): JSON where <c>{"/":"&lt;cid&gt;"}</c> is a link and
/// <c>{"/":{"bytes":"&lt;base64, no padding&gt;"}}</c> is a byte string. Integers are told from floats by their
/// text (no fraction or exponent). Encoding sorts map keys bytewise and writes no whitespace.
/// </summary>
internal static class DagJson
{
    /// <summary>Decodes one DAG-JSON value; throws <see cref="IpldFormatException"/> on anything else.</summary>
    public static IpldNode Decode(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = IpldNode.MaxDepth });
        try
        {
            if (!reader.Read())
            {
                throw new IpldFormatException("dag-json: no value");
            }

            var node = ReadValue(ref reader);
            if (reader.Read())
            {
                throw new IpldFormatException("dag-json: data after the value");
            }

            return node;
        }
        catch (JsonException e)
        {
            throw new IpldFormatException("dag-json: " + e.Message);
        }
        catch (InvalidOperationException e)
        {
            // The reader checks a string's UTF-8 only when its text is asked for, and says so with this type.
            throw new IpldFormatException("dag-json: " + e.Message);
        }
        catch (FormatException e)
        {
            // A number the reader tokenized but cannot represent as a double.
            throw new IpldFormatException("dag-json: " + e.Message);
        }
    }

    /// <summary>Encodes <paramref name="node"/> as DAG-JSON; floats are refused (their shortest text form is not implemented).</summary>
    public static byte[] Encode(IpldNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, node, 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static IpldNode ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return IpldNode.Null;
            case JsonTokenType.True:
                return new IpldBool(true);
            case JsonTokenType.False:
                return new IpldBool(false);
            case JsonTokenType.String:
                return new IpldString(reader.GetString()!);
            case JsonTokenType.Number:
                return ReadNumber(ref reader);
            case JsonTokenType.StartArray:
                var items = new List<IpldNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader));
                }

                return new IpldList(items);
            case JsonTokenType.StartObject:
                return ReadObject(ref reader);
            default:
                throw new IpldFormatException($"dag-json: unexpected {reader.TokenType}");
        }
    }

    private static IpldNode ReadNumber(ref Utf8JsonReader reader)
    {
        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        if (text.AsSpan().IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
        {
            return new IpldFloat(reader.GetDouble());
        }

        if (!Int128.TryParse(Encoding.ASCII.GetString(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < IpldInteger.Min || value > IpldInteger.Max)
        {
            throw new IpldFormatException($"dag-json: integer {Encoding.ASCII.GetString(text)} is out of range (−2^64 … 2^64−1)");
        }

        return new IpldInteger(value);
    }

    private static IpldNode ReadObject(ref Utf8JsonReader reader)
    {
        var entries = new List<KeyValuePair<string, IpldNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            if (!seen.Add(key))
            {
                throw new IpldFormatException($"dag-json: duplicate map key \"{key}\"");
            }

            reader.Read();
            entries.Add(new(key, ReadValue(ref reader)));
        }

        if (entries is [{ Key: "/" } only])
        {
            switch (only.Value)
            {
                case IpldString link:
                    return Cid.TryParse(link.Value, out var cid, out var error)
                        ? new IpldLinkNode(cid)
                        : throw new IpldFormatException($"dag-json: invalid link \"{link.Value}\": {error}");
                case IpldMap { Entries: [{ Key: "bytes", Value: IpldString base64 }] }:
                    return new IpldBytes(FromBase64(base64.Value));
            }
        }

        return new IpldMap(entries);
    }

    // DAG-JSON writes standard base64 without padding; padded input is accepted too.
    private static byte[] FromBase64(string text)
    {
        var padded = text.TrimEnd('=');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw new IpldFormatException("dag-json: bytes are not base64");
        }
    }

    /// <summary>
    /// Writes <paramref name="node"/> as Kubo's <c>dag get</c> shows a stored block: map keys in the order they
    /// are stored (dag-cbor keeps them length-first, which is also the order go-ipld-prime's dag-json encoder
    /// sorts into) and floats as they are, where <see cref="Encode"/> sorts keys and refuses floats.
    /// </summary>
    public static void WriteAsStored(IpldNode node, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer, node, 0, asStored: true);
    }

    /// <summary>dag-json's bytes form: <c>{"/":{"bytes":"…"}}</c>, standard base64 without padding.</summary>
    public static void WriteBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("/");
        writer.WriteString("bytes", Convert.ToBase64String(bytes).TrimEnd('='));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>dag-json's link form: <c>{"/":"cid"}</c>.</summary>
    public static void WriteLink(Utf8JsonWriter writer, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(cid);
        writer.WriteStartObject();
        writer.WriteString("/", cid.ToString());
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, IpldNode node, int depth, bool asStored = false)
    {
        if (depth > IpldNode.MaxDepth)
        {
            throw new IpldFormatException("dag-json: nesting too deep");
        }

        switch (node)
        {
            case IpldNull:
                writer.WriteNullValue();
                break;
            case IpldBool b:
                writer.WriteBooleanValue(b.Value);
                break;
            case IpldInteger i:
                writer.WriteRawValue(i.Value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
                break;
            case IpldFloat f when asStored:
                writer.WriteNumberValue(f.Value);
                break;
            case IpldFloat:
                throw new IpldFormatException("dag-json: encoding floats is not supported by this gateway");
            case IpldString s:
                writer.WriteStringValue(s.Value);
                break;
            case IpldBytes bytes:
                WriteBytes(writer, bytes.Value);
                break;
            case IpldLinkNode link:
                WriteLink(writer, link.Cid);
                break;
            case IpldList list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    Write(writer, item, depth + 1, asStored);
                }

                writer.WriteEndArray();
                break;
            case IpldMap map:
                writer.WriteStartObject();
                foreach (var (key, value) in asStored ? map.Entries.Select(e => (e.Key, e.Value)) : map.SortedBytewise().Select(e => (e.Key, e.Value)))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value, depth + 1, asStored);
                }

                writer.WriteEndObject();
                break;
            default:
                throw new IpldFormatException("dag-json: unknown node " + node.GetType().Name);
        }
    }
}
