using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using CompositeGateway.Ipld;
using SimpleBase;

namespace CompositeGateway.Identity;

/// <summary>
/// A libp2p peer ID: a multihash of the peer's protobuf-encoded public key. Keys whose encoding is at most
/// 42 bytes (Ed25519: 36) are inlined with the identity multihash, larger ones (RSA) hashed with sha2-256
/// (docs/protocol/peer-ids.md §3). The canonical text is base58btc (<c>12D3KooW…</c>,
/// <c>Qm…</c>); <see cref="TryParse"/> also accepts the CIDv1 form with the <c>libp2p-key</c> codec
/// (as Kubo does), so peer IDs coming from the cluster peer can be validated whichever way they are written.
/// </summary>
internal sealed class PeerId : IEquatable<PeerId>
{
    /// <summary>Multicodec of a CID that names a peer (multicodec table: libp2p-key).</summary>
    public const ulong Libp2pKeyCodec = 0x72;

    private const ulong IdentityHash = 0x00;
    private const ulong Sha2_256 = 0x12;
    private const int MaxInlineKeyLength = 42;
    private const string Base36Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly byte[] multihash;

    private PeerId(byte[] multihash) => this.multihash = multihash;

    /// <summary>The binary peer ID (a multihash).</summary>
    public ReadOnlySpan<byte> Multihash => multihash;

    /// <summary>Peer ID of a key given as its protobuf <c>PublicKey</c> message bytes.</summary>
    public static PeerId FromPublicKeyProtobuf(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length <= MaxInlineKeyLength)
        {
            return new PeerId([(byte)IdentityHash, (byte)publicKey.Length, .. publicKey]);
        }

        return new PeerId([(byte)Sha2_256, 32, .. System.Security.Cryptography.SHA256.HashData(publicKey)]);
    }

    public static PeerId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"\"{text}\" is not a peer ID");

    /// <summary>
    /// Accepts base58btc multihashes (identity or sha2-256) and CIDv1 with codec libp2p-key in base32
    /// (<c>b…</c>/<c>B…</c>), base36 (<c>k…</c>) or base58btc (<c>z…</c>) multibase.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PeerId? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text) || text.Length > 200)
        {
            return false;
        }

        if (text.StartsWith("Qm", StringComparison.Ordinal) || text[0] == '1')
        {
            return TryDecodeBase58(text, out var bytes) && TryFromMultihash(bytes, out id);
        }

        byte[]? cid = text[0] switch
        {
            'b' or 'B' => TryDecodeBase32(text[1..]),
            'k' or 'K' => TryDecodeBase36(text[1..].ToLowerInvariant()),
            'z' => TryDecodeBase58(text[1..], out var b58) ? b58 : null,
            _ => null,
        };
        if (cid is null)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = cid;
        return Varint.TryRead(ref rest, out var version) && version == 1
            && Varint.TryRead(ref rest, out var codec) && codec == Libp2pKeyCodec
            && TryFromMultihash(rest.ToArray(), out id);
    }

    /// <summary>The inlined public key (protobuf <c>PublicKey</c> bytes) when this ID uses the identity multihash.</summary>
    public bool TryGetInlinedPublicKey(out ReadOnlySpan<byte> publicKey)
    {
        publicKey = multihash[0] == IdentityHash ? multihash.AsSpan(2) : default;
        return multihash[0] == IdentityHash;
    }

    /// <summary>The CIDv1 (libp2p-key, base32) form, e.g. for IPNS-style display.</summary>
    public string ToCidString()
    {
        byte[] cid = [1, (byte)Libp2pKeyCodec, .. multihash];
        return "b" + Base32.Rfc4648.Encode(cid, padding: false).ToLowerInvariant();
    }

    public override string ToString() => Base58.Bitcoin.Encode(multihash);

    public bool Equals(PeerId? other) => other is not null && multihash.AsSpan().SequenceEqual(other.multihash);

    public override bool Equals(object? obj) => Equals(obj as PeerId);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(multihash);
        return hash.ToHashCode();
    }

    private static bool TryFromMultihash(byte[] bytes, [NotNullWhen(true)] out PeerId? id)
    {
        id = null;
        ReadOnlySpan<byte> rest = bytes;
        if (!Varint.TryRead(ref rest, out var code) || !Varint.TryRead(ref rest, out var length) || (ulong)rest.Length != length)
        {
            return false;
        }

        var valid = code switch
        {
            IdentityHash => length is > 0 and <= MaxInlineKeyLength,
            Sha2_256 => length == 32,
            _ => false,
        };
        if (valid)
        {
            id = new PeerId(bytes);
        }

        return valid;
    }

    private static bool TryDecodeBase58(string text, [NotNullWhen(true)] out byte[]? bytes)
    {
        var buffer = new byte[text.Length];
        if (Base58.Bitcoin.TryDecode(text, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = null;
        return false;
    }

    private static byte[]? TryDecodeBase32(string text)
    {
        var buffer = new byte[text.Length];
        return text.Length > 0 && Base32.Rfc4648.TryDecode(text.ToUpperInvariant(), buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>Multibase base36 (lower case), which Kubo uses for libp2p-key CIDs in IPNS names (<c>k51…</c>).</summary>
    private static byte[]? TryDecodeBase36(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var value = BigInteger.Zero;
        foreach (var c in text)
        {
            var digit = Base36Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return null;
            }

            value = (value * 36) + digit;
        }

        var leadingZeros = text.TakeWhile(c => c == '0').Count();
        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[leadingZeros], .. body];
    }
}
