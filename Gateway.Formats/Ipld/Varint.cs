namespace CompositeGateway.Ipld;

/// <summary>
/// Unsigned LEB128 varints as the multiformats spec (unsigned-varint) defines them: at most 9 bytes
/// (63 bits) and minimally encoded. go-cid and go-car reject non-minimal forms
/// (go-varint: "varint not minimally encoded"), so accepting them would let one CID have two byte
/// forms and break equality-by-bytes.
/// </summary>
internal static class Varint
{
    /// <summary>Longest varint the spec allows.</summary>
    public const int MaxLength = 9;

    public static int SizeOf(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the byte count.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varint; returns a reason when the bytes are not a valid one.</summary>
    public static VarintStatus TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        length = 0;
        for (var i = 0; i < source.Length; i++)
        {
            if (i == MaxLength)
            {
                return VarintStatus.TooLong;
            }

            var b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                if (b == 0 && i > 0)
                {
                    value = 0;
                    length = 0;
                    return VarintStatus.NotMinimal;
                }

                return VarintStatus.Ok;
            }
        }

        value = 0;
        return source.Length >= MaxLength ? VarintStatus.TooLong : VarintStatus.Truncated;
    }

    /// <summary>Reads a varint at the start of <paramref name="data"/> and advances past it; false when invalid.</summary>
    public static bool TryRead(ref ReadOnlySpan<byte> data, out ulong value)
    {
        if (TryRead(data, out value, out var length) != VarintStatus.Ok)
        {
            return false;
        }

        data = data[length..];
        return true;
    }

    public static string Describe(VarintStatus status) => status switch
    {
        VarintStatus.TooLong => "varints larger than uint63 not supported",
        VarintStatus.NotMinimal => "varint not minimally encoded",
        VarintStatus.Truncated => "unexpected end of varint",
        _ => "ok",
    };
}

internal enum VarintStatus
{
    Ok,
    Truncated,
    TooLong,
    NotMinimal,
}
