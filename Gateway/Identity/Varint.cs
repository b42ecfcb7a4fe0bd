namespace CompositeGateway.Identity;

/// <summary>Unsigned LEB128 varints as multiformats use them (at most 9 bytes, minimally encoded).</summary>
internal static class Varint
{
    public static bool TryRead(ref ReadOnlySpan<byte> data, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 9 && i < data.Length; i++)
        {
            var b = data[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // A trailing zero byte after the first would be a non-minimal encoding, which multiformats forbid.
                if (b == 0 && i > 0)
                {
                    return false;
                }

                data = data[(i + 1)..];
                return true;
            }
        }

        return false;
    }
}
