using System.Security.Cryptography;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>
/// Kubo's <c>cid.Prefix.Sum</c> for the hash functions this gateway computes (sha2-256, sha2-512, sha2-384,
/// sha1, md5, dbl-sha2-256, identity, and sha3-* where the platform has it). Length −1 means the function's
/// own size; a shorter length truncates the digest, as go-multihash does.
/// </summary>
internal static class BlockHasher
{
    /// <summary>go-multihash's <c>ErrLenTooLarge</c>.</summary>
    public const string LengthTooLarge = "requested length was too large for digest";

    public static bool CanHash(ulong code) => code switch
    {
        0x00 or 0x11 or 0x12 or 0x13 or 0x20 or 0x56 or 0xd5 => true,
        0x16 => SHA3_256.IsSupported,
        0x15 => SHA3_384.IsSupported,
        0x14 => SHA3_512.IsSupported,
        _ => false,
    };

    /// <summary>The multihash of <paramref name="data"/>, or null with <paramref name="error"/> (Kubo's words).</summary>
    public static Multihash? Sum(ulong code, int length, ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        if (code == Multicodec.Sha2_256 && length is -1 or 32)
        {
            return Multihash.Sha2_256(data);
        }

        byte[] digest = code switch
        {
            0x00 => data.ToArray(),
            0x11 => SHA1.HashData(data),
            0x12 => SHA256.HashData(data),
            0x13 => SHA512.HashData(data),
            0x20 => SHA384.HashData(data),
            0x56 => SHA256.HashData(SHA256.HashData(data)),
            0xd5 => MD5.HashData(data),
            0x16 => SHA3_256.HashData(data),
            0x15 => SHA3_384.HashData(data),
            0x14 => SHA3_512.HashData(data),
            _ => throw new ArgumentOutOfRangeException(nameof(code), "check CanHash first"),
        };
        if (length < 0)
        {
            length = digest.Length;
        }

        if (length > digest.Length)
        {
            error = LengthTooLarge;
            return null;
        }

        return Multihash.FromDigest(code, digest.AsSpan(0, length));
    }
}
