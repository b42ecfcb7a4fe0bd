using System.Buffers.Binary;
using System.Security.Cryptography;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>
/// The lab's one door for CID text: validation and canonical form. Kept behind a single function so
/// switching to the Ipld helper's <c>Cid.TryParse</c> is a one-line change.
/// </summary>
internal static class LabCids
{
    /// <summary>
    /// Parses with the Ipld CID parser (any multibase, v0 or v1) and gives the canonical text ipfs-cluster
    /// prints (<c>Qm…</c> for v0, base32 <c>b…</c> for v1), which is also the pinset key, so
    /// <c>zdj7…</c> and <c>bafy…</c> spellings of one CID are one pin. <paramref name="error"/> is go-cid's
    /// reason; the caller prefixes <c>error decoding Cid: </c>.
    /// </summary>
    public static bool TryParse(string text, out string canonical, out string error)
    {
        if (Cid.TryParse(text, out var cid, out var reason))
        {
            canonical = cid.ToString();
            error = "";
            return true;
        }

        canonical = text;
        error = reason;
        return false;
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
        return MultibaseCodec.Encode(cid, Multibase.Base32);
    }
}
