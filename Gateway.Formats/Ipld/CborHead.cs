using System.Buffers.Binary;

namespace CompositeGateway.Ipld;

/// <summary>Why a CBOR item head could not be read; each caller words it in its own format's errors.</summary>
internal enum CborHeadStatus
{
    Ok,
    Truncated,

    /// <summary>Additional info 28–31: reserved, or indefinite length, which dag-cbor forbids.</summary>
    Reserved,
}

/// <summary>
/// The head of a CBOR item, shared by the CAR header and dag-cbor readers: major type in the top 3 bits, then the
/// argument inline (&lt; 24) or big-endian in the next 1, 2, 4 or 8 bytes (RFC 8949, section 3).
/// </summary>
internal static class CborHead
{
    /// <summary>Reads the head at <paramref name="position"/> and advances past it; <paramref name="info"/> is the raw additional info.</summary>
    public static CborHeadStatus TryRead(ReadOnlySpan<byte> bytes, ref int position, out int major, out ulong argument, out int info)
    {
        major = 0;
        argument = 0;
        info = 0;
        if (position >= bytes.Length)
        {
            return CborHeadStatus.Truncated;
        }

        var initial = bytes[position++];
        major = initial >> 5;
        info = initial & 0x1F;
        if (info < 24)
        {
            argument = (ulong)info;
            return CborHeadStatus.Ok;
        }

        var size = info switch
        {
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => 0,
        };
        if (size == 0)
        {
            return CborHeadStatus.Reserved;
        }

        if (bytes.Length - position < size)
        {
            return CborHeadStatus.Truncated;
        }

        var slice = bytes.Slice(position, size);
        position += size;
        argument = size switch
        {
            1 => slice[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(slice),
            4 => BinaryPrimitives.ReadUInt32BigEndian(slice),
            _ => BinaryPrimitives.ReadUInt64BigEndian(slice),
        };
        return CborHeadStatus.Ok;
    }
}
