using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Ipld;

/// <summary>
/// A content identifier (multiformats/cid): version 0 (a bare sha2-256 multihash of a dag-pb
/// block, written in base58btc without prefix) or version 1 (varint version, varint codec,
/// multihash, written in any multibase). Immutable. Equality is by the binary form, so the v0 and
/// v1 CIDs of one block are different CIDs, as in go-cid.
/// </summary>
internal sealed class Cid : IEquatable<Cid>
{
    /// <summary>Longest CID string accepted; bounds the quadratic base58/base36 decoding of hostile input.</summary>
    public const int MaxStringLength = 4096;

    private const int V0Length = 34;
    private readonly byte[] _bytes;

    // The canonical text, made at the first ToString(): a CID crossing the gateway is written more than once (the
    // undercluster URL, the Kubo answer). Two threads racing both make the same string; either may be kept.
    private string? _text;

    private Cid(byte[] bytes, int version, ulong codec, Multihash multihash)
    {
        _bytes = bytes;
        Version = version;
        Codec = codec;
        Multihash = multihash;
    }

    /// <summary>0 or 1.</summary>
    public int Version { get; }

    /// <summary>Multicodec of the block's content, e.g. <see cref="Multicodec.DagPb"/>; always dag-pb for v0.</summary>
    public ulong Codec { get; }

    public Multihash Multihash { get; }

    /// <summary>The binary form (for v0 the multihash alone; for v1 version, codec, multihash).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Length of <see cref="Bytes"/>.</summary>
    public int ByteLength => _bytes.Length;

    /// <summary>CIDv0 of a sha2-256 multihash (the only kind v0 allows).</summary>
    public static Cid V0(Multihash multihash)
    {
        ArgumentNullException.ThrowIfNull(multihash);
        if (multihash.Code != Multicodec.Sha2_256 || multihash.Digest.Length != 32)
        {
            throw new ArgumentException("CIDv0 needs a 32-byte sha2-256 multihash", nameof(multihash));
        }

        return new Cid(multihash.Bytes.ToArray(), 0, Multicodec.DagPb, multihash);
    }

    public static Cid V1(ulong codec, Multihash multihash)
    {
        ArgumentNullException.ThrowIfNull(multihash);
        var mh = multihash.Bytes.Span;
        var codecSize = Varint.SizeOf(codec);
        var bytes = new byte[1 + codecSize + mh.Length];
        bytes[0] = 1;
        Varint.Write(bytes.AsSpan(1), codec);
        mh.CopyTo(bytes.AsSpan(1 + codecSize));
        return new Cid(bytes, 1, codec, multihash);
    }

    /// <summary>The sha2-256 CID of <paramref name="block"/>; version 0 only with dag-pb.</summary>
    public static Cid Hash(int version, ulong codec, ReadOnlySpan<byte> block)
    {
        var multihash = Multihash.Sha2_256(block);
        if (version == 0)
        {
            if (codec != Multicodec.DagPb)
            {
                throw new ArgumentException("CIDv0 is dag-pb only", nameof(codec));
            }

            return V0(multihash);
        }

        return version == 1 ? V1(codec, multihash) : throw new ArgumentOutOfRangeException(nameof(version));
    }

    /// <summary>Parses a CID string; throws <see cref="CidFormatException"/> (and nothing else) when it is not one.</summary>
    public static Cid Parse(string text)
    {
        var error = TryParseCore(text, out var cid);
        return error is null ? cid! : throw new CidFormatException("invalid cid: " + error);
    }

    /// <summary>Parses a CID string; never throws.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Cid? cid)
        => TryParseCore(text, out cid) is null;

    /// <summary>Parses a CID string; on failure gives the go-cid style reason, prefixed with <c>invalid cid: </c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Cid? cid, [NotNullWhen(false)] out string? error)
    {
        var reason = TryParseCore(text, out cid);
        error = reason is null ? null : "invalid cid: " + reason;
        return reason is null;
    }

    /// <summary>Reads a binary CID that must fill <paramref name="bytes"/> exactly.</summary>
    public static Cid FromBytes(ReadOnlySpan<byte> bytes)
    {
        var error = TryReadCore(bytes, out var cid, out var consumed);
        if (error is null && consumed != bytes.Length)
        {
            error = "trailing bytes in data buffer passed to cid Cast";
        }

        return error is null ? cid! : throw new CidFormatException("invalid cid: " + error);
    }

    /// <summary>Reads a binary CID from the start of <paramref name="source"/> (bytes may follow it, as in CAR sections).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, [NotNullWhen(true)] out Cid? cid, out int consumed, [NotNullWhen(false)] out string? error)
    {
        var reason = TryReadCore(source, out cid, out consumed);
        error = reason is null ? null : "invalid cid: " + reason;
        return reason is null;
    }

    /// <summary>The same multihash as a CIDv1 (v0 is dag-pb, so v1 keeps dag-pb); v1 CIDs are returned as they are.</summary>
    public Cid ToV1() => Version == 1 ? this : V1(Codec, Multihash);

    /// <summary>Canonical text: base58btc for v0, base32 lowercase (<c>b…</c>) for v1.</summary>
    public override string ToString() => _text ??= ToString(Version == 0 ? Multibase.Base58BtcImplicit : Multibase.Base32);

    /// <summary>Text in a chosen multibase; v0 can only be written as implicit base58btc.</summary>
    public string ToString(Multibase encoding)
    {
        if (Version == 0 && encoding != Multibase.Base58BtcImplicit && encoding != Multibase.Base58Btc)
        {
            throw new InvalidOperationException("CIDv0 can only be written in base58btc");
        }

        if (Version == 0)
        {
            return MultibaseCodec.Encode(_bytes, Multibase.Base58BtcImplicit);
        }

        return MultibaseCodec.Encode(_bytes, encoding == Multibase.Base58BtcImplicit ? Multibase.Base58Btc : encoding);
    }

    /// <summary>Copies the binary form into <paramref name="destination"/>; returns the byte count.</summary>
    public int WriteTo(Span<byte> destination)
    {
        _bytes.CopyTo(destination);
        return _bytes.Length;
    }

    public bool Equals(Cid? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Cid);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(Cid? left, Cid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Cid? left, Cid? right) => !(left == right);

    // Follows go-cid Decode: the 46-character "Qm…" form is CIDv0, everything else is multibase.
    private static string? TryParseCore(string? text, out Cid? cid)
    {
        cid = null;
        if (text is null || text.Length < 2)
        {
            return "cid too short";
        }

        if (text.Length > MaxStringLength)
        {
            return "cid too long";
        }

        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            var b58 = MultibaseCodec.TryDecode(text, Multibase.Base58BtcImplicit, out var raw);
            if (b58 is not null)
            {
                return "base58: " + b58;
            }

            if (raw.Length != V0Length || raw[0] != Multicodec.Sha2_256 || raw[1] != 32)
            {
                return "invalid hash for cidv0";
            }

            var mhError = Multihash.TryRead(raw, out var mh, out _);
            if (mhError is not null)
            {
                return mhError;
            }

            cid = new Cid(raw, 0, Multicodec.DagPb, mh!);
            return null;
        }

        if (!MultibaseCodec.TryFromPrefix(text[0], out var encoding))
        {
            return "selected encoding not supported";
        }

        var decodeError = MultibaseCodec.TryDecode(text.AsSpan(1), encoding, out var bytes);
        if (decodeError is not null)
        {
            return decodeError;
        }

        var error = TryReadCore(bytes, out cid, out var consumed);
        if (error is null && consumed != bytes.Length)
        {
            cid = null;
            return "trailing bytes in data buffer passed to cid Cast";
        }

        return error;
    }

    // Follows go-cid CidFromBytes: a leading 0x12 0x20 is a bare v0 multihash, else varint version 1.
    private static string? TryReadCore(ReadOnlySpan<byte> data, out Cid? cid, out int consumed)
    {
        cid = null;
        consumed = 0;
        if (data.Length > 2 && data[0] == Multicodec.Sha2_256 && data[1] == 32)
        {
            if (data.Length < V0Length)
            {
                return "not enough bytes for cid v0";
            }

            var mhError = Multihash.TryRead(data[..V0Length], out var mh0, out _);
            if (mhError is not null)
            {
                return mhError;
            }

            consumed = V0Length;
            cid = new Cid(data[..V0Length].ToArray(), 0, Multicodec.DagPb, mh0!);
            return null;
        }

        if (data.Length < 2)
        {
            return "cid too short";
        }

        var status = Varint.TryRead(data, out var version, out var versionSize);
        if (status != VarintStatus.Ok)
        {
            return Varint.Describe(status);
        }

        if (version != 1)
        {
            return "expected 1 as the cid version number, got: " + version;
        }

        status = Varint.TryRead(data[versionSize..], out var codec, out var codecSize);
        if (status != VarintStatus.Ok)
        {
            return Varint.Describe(status);
        }

        var error = Multihash.TryRead(data[(versionSize + codecSize)..], out var mh, out var mhSize);
        if (error is not null)
        {
            return error;
        }

        consumed = versionSize + codecSize + mhSize;
        cid = new Cid(data[..consumed].ToArray(), 1, codec, mh!);
        return null;
    }
}
