namespace CompositeGateway.Ipld;

/// <summary>
/// The CARv1 header (ipld/specs transport/car/carv1): a dag-cbor map
/// <c>{"roots": [CID…], "version": 1}</c>, CIDs as CBOR tag 42 over a byte string holding 0x00
/// then the binary CID. Only the dag-cbor needed for this one map is implemented: definite
/// lengths only (dag-cbor forbids the others), keys in dag-cbor canonical order when writing
/// (length first: "roots" before "version"), unknown keys skipped when reading.
/// </summary>
internal static class CarHeader
{
    private const int MaxDepth = 16;

    public static byte[] Encode(IReadOnlyList<Cid> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var output = new List<byte>(16 + roots.Count * 40);
        WriteHead(output, 5, 2);
        WriteText(output, "roots");
        WriteHead(output, 4, (ulong)roots.Count);
        foreach (var root in roots)
        {
            WriteHead(output, 6, 42);
            WriteHead(output, 2, (ulong)root.ByteLength + 1);
            output.Add(0);
            output.AddRange(root.Bytes.Span);
        }

        WriteText(output, "version");
        WriteHead(output, 0, 1);
        return [.. output];
    }

    /// <summary>Decodes the header map; returns the version and roots. Throws <see cref="IpldFormatException"/>.</summary>
    public static (ulong Version, IReadOnlyList<Cid> Roots) Decode(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        var (major, count) = ReadHead(bytes, ref position);
        if (major != 5)
        {
            throw Error("header is not a map");
        }

        ulong? version = null;
        List<Cid>? roots = null;
        for (ulong i = 0; i < count; i++)
        {
            var key = ReadText(bytes, ref position);
            switch (key)
            {
                case "version":
                    var (vMajor, v) = ReadHead(bytes, ref position);
                    version = vMajor == 0 ? v : throw Error("version is not an unsigned integer");
                    break;
                case "roots":
                    var (rMajor, n) = ReadHead(bytes, ref position);
                    if (rMajor != 4)
                    {
                        throw Error("roots is not an array");
                    }

                    roots = [];
                    for (ulong r = 0; r < n; r++)
                    {
                        roots.Add(ReadCid(bytes, ref position));
                    }

                    break;
                default:
                    Skip(bytes, ref position, 0);
                    break;
            }
        }

        if (position != bytes.Length)
        {
            throw Error("trailing bytes after header map");
        }

        return (version ?? throw Error("header has no version"), roots ?? []);
    }

    private static Cid ReadCid(ReadOnlySpan<byte> bytes, ref int position)
    {
        var (major, tag) = ReadHead(bytes, ref position);
        if (major != 6 || tag != 42)
        {
            throw Error("root is not a CID (tag 42)");
        }

        var (bMajor, length) = ReadHead(bytes, ref position);
        if (bMajor != 2 || length < 1 || length > (ulong)(bytes.Length - position) || bytes[position] != 0)
        {
            throw Error("root CID is not a byte string starting with 0x00");
        }

        var cidBytes = bytes.Slice(position + 1, (int)length - 1);
        position += (int)length;
        try
        {
            return Cid.FromBytes(cidBytes);
        }
        catch (CidFormatException e)
        {
            throw new IpldFormatException("car: bad root: " + e.Message, e);
        }
    }

    private static string ReadText(ReadOnlySpan<byte> bytes, ref int position)
    {
        var (major, length) = ReadHead(bytes, ref position);
        if (major != 3 || length > (ulong)(bytes.Length - position))
        {
            throw Error("map key is not a string");
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes.Slice(position, (int)length));
        position += (int)length;
        return text;
    }

    private static void Skip(ReadOnlySpan<byte> bytes, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("header nested too deeply");
        }

        var (major, argument) = ReadHead(bytes, ref position);
        if (major is 4 or 5 && argument > (ulong)(bytes.Length - position))
        {
            // Every element takes at least a byte: a larger count cannot be honest.
            throw Error("unexpected end of header");
        }

        switch (major)
        {
            case 2 or 3:
                if (argument > (ulong)(bytes.Length - position))
                {
                    throw Error("unexpected end of header");
                }

                position += (int)argument;
                break;
            case 4:
                for (ulong i = 0; i < argument; i++)
                {
                    Skip(bytes, ref position, depth + 1);
                }

                break;
            case 5:
                for (ulong i = 0; i < argument * 2; i++)
                {
                    Skip(bytes, ref position, depth + 1);
                }

                break;
            case 6:
                Skip(bytes, ref position, depth + 1);
                break;
        }
    }

    private static (int Major, ulong Argument) ReadHead(ReadOnlySpan<byte> bytes, ref int position) =>
        CborHead.TryRead(bytes, ref position, out var major, out var argument, out var info) switch
        {
            CborHeadStatus.Ok => (major, argument),
            CborHeadStatus.Truncated => throw Error("unexpected end of header"),
            _ => throw Error("unsupported CBOR additional info " + info),
        };

    private static void WriteHead(List<byte> output, int major, ulong argument)
    {
        var high = (byte)(major << 5);
        if (argument < 24)
        {
            output.Add((byte)(high | (byte)argument));
            return;
        }

        var size = argument <= byte.MaxValue ? 1 : argument <= ushort.MaxValue ? 2 : argument <= uint.MaxValue ? 4 : 8;
        output.Add((byte)(high | size switch { 1 => 24, 2 => 25, 4 => 26, _ => 27 }));
        for (var i = size - 1; i >= 0; i--)
        {
            output.Add((byte)(argument >> (8 * i)));
        }
    }

    private static void WriteText(List<byte> output, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        WriteHead(output, 3, (ulong)bytes.Length);
        output.AddRange(bytes);
    }

    private static IpldFormatException Error(string detail) => new("car: invalid header: " + detail);
}
