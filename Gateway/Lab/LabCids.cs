using System.Buffers.Binary;
using System.Security.Cryptography;
using SimpleBase;

namespace CompositeGateway.Lab;

/// <summary>
/// The lab's one door for CID text: validation and canonical form. Kept behind a single function so
/// switching to the Ipld helper's <c>Cid.TryParse</c> is a one-line change.
/// </summary>
internal static class LabCids
{
    /// <summary>
    /// Accepts CIDv0 (46 chars of base58btc, <c>Qm…</c>, sha2-256 multihash) and CIDv1 in multibase
    /// <c>b</c> (base32 lower, version byte 1). <paramref name="canonical"/> is the text as given.
    /// <paramref name="error"/> follows go-cid's wording; the caller prefixes <c>error decoding Cid: </c>.
    /// </summary>
    public static bool TryParse(string text, out string canonical, out string error)
    {
        canonical = text;
        error = "";
        if (text.Length < 2)
        {
            error = "cid too short";
            return false;
        }

        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            Span<byte> bytes = stackalloc byte[64];
            if (Base58.Bitcoin.TryDecode(text, bytes, out var written) && written == 34 && bytes[0] == 0x12 && bytes[1] == 0x20)
            {
                return true;
            }

            error = "invalid cid: selected encoding not supported";
            return false;
        }

        if (text[0] != 'b')
        {
            error = "selected encoding not supported";
            return false;
        }

        foreach (var c in text.AsSpan(1))
        {
            if (!(c is >= 'a' and <= 'z' or >= '2' and <= '7'))
            {
                error = "invalid cid: illegal base32 data at input byte " + text.IndexOf(c, 1);
                return false;
            }
        }

        var decoded = new byte[text.Length];
        if (!Base32.Rfc4648.TryDecode(text.AsSpan(1).ToString().ToUpperInvariant(), decoded, out var length) || length < 4 || decoded[0] != 0x01)
        {
            error = "invalid cid: expected 1 as the cid version number";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The i-th synthetic CID for seeding: CIDv1 raw (0x55), sha2-256 of the index as 8 big-endian bytes.
    /// Deterministic, so two runs seed the same pinset.
    /// </summary>
    public static string Synthetic(long index)
    {
        Span<byte> input = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(input, index);
        Span<byte> cid = stackalloc byte[36];
        cid[0] = 0x01;
        cid[1] = 0x55;
        cid[2] = 0x12;
        cid[3] = 0x20;
        SHA256.HashData(input, cid[4..]);
        return "b" + Base32.Rfc4648.Encode(cid, padding: false).ToLowerInvariant();
    }
}
