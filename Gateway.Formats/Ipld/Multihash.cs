using System.Security.Cryptography;

namespace CompositeGateway.Ipld;

/// <summary>
/// A self-describing hash: varint function code, varint digest length, digest
/// (multiformats/multihash). Immutable; equality is by bytes.
/// </summary>
internal sealed class Multihash : IEquatable<Multihash>
{
    private readonly byte[] _bytes;
    private readonly int _digestOffset;

    private Multihash(byte[] bytes, ulong code, int digestOffset)
    {
        _bytes = bytes;
        Code = code;
        _digestOffset = digestOffset;
    }

    /// <summary>Hash function code, e.g. <see cref="Multicodec.Sha2_256"/>.</summary>
    public ulong Code { get; }

    public ReadOnlyMemory<byte> Digest => _bytes.AsMemory(_digestOffset);

    /// <summary>The binary form: code, length, digest.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Hashes <paramref name="data"/> with sha2-256.</summary>
    public static Multihash Sha2_256(ReadOnlySpan<byte> data)
    {
        var bytes = new byte[2 + SHA256.HashSizeInBytes];
        bytes[0] = (byte)Multicodec.Sha2_256;
        bytes[1] = SHA256.HashSizeInBytes;
        SHA256.HashData(data, bytes.AsSpan(2));
        return new Multihash(bytes, Multicodec.Sha2_256, 2);
    }

    /// <summary>The identity "hash": the data itself.</summary>
    public static Multihash Identity(ReadOnlySpan<byte> data)
    {
        var lengthSize = Varint.SizeOf((ulong)data.Length);
        var bytes = new byte[1 + lengthSize + data.Length];
        bytes[0] = (byte)Multicodec.Identity;
        Varint.Write(bytes.AsSpan(1), (ulong)data.Length);
        data.CopyTo(bytes.AsSpan(1 + lengthSize));
        return new Multihash(bytes, Multicodec.Identity, 1 + lengthSize);
    }

    /// <summary>Wraps an existing digest (no hashing).</summary>
    public static Multihash FromDigest(ulong code, ReadOnlySpan<byte> digest)
    {
        var codeSize = Varint.SizeOf(code);
        var lengthSize = Varint.SizeOf((ulong)digest.Length);
        var bytes = new byte[codeSize + lengthSize + digest.Length];
        Varint.Write(bytes, code);
        Varint.Write(bytes.AsSpan(codeSize), (ulong)digest.Length);
        digest.CopyTo(bytes.AsSpan(codeSize + lengthSize));
        return new Multihash(bytes, code, codeSize + lengthSize);
    }

    /// <summary>
    /// Reads a multihash from the start of <paramref name="source"/>; bytes after it are left for the caller.
    /// Returns an error text (go-multihash wording) instead of throwing.
    /// </summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out Multihash? multihash, out int consumed)
    {
        multihash = null;
        consumed = 0;
        var status = Varint.TryRead(source, out var code, out var codeSize);
        if (status != VarintStatus.Ok)
        {
            return status == VarintStatus.Truncated ? "multihash too short" : Varint.Describe(status);
        }

        status = Varint.TryRead(source[codeSize..], out var length, out var lengthSize);
        if (status != VarintStatus.Ok)
        {
            return status == VarintStatus.Truncated ? "multihash too short" : Varint.Describe(status);
        }

        var available = (ulong)(source.Length - codeSize - lengthSize);
        if (length > available)
        {
            return "multihash length inconsistent: declared " + length + " digest bytes, " + available + " present";
        }

        consumed = codeSize + lengthSize + (int)length;
        multihash = new Multihash(source[..consumed].ToArray(), code, codeSize + lengthSize);
        return null;
    }

    /// <summary>
    /// Whether <paramref name="block"/> hashes to this multihash; null when the hash function is not
    /// one this gateway computes (only sha2-256 and identity are).
    /// </summary>
    public bool? Matches(ReadOnlySpan<byte> block)
    {
        var digest = _bytes.AsSpan(_digestOffset);
        switch (Code)
        {
            case Multicodec.Sha2_256:
                if (digest.Length != SHA256.HashSizeInBytes)
                {
                    return false;
                }

                Span<byte> computed = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(block, computed);
                return computed.SequenceEqual(digest);
            case Multicodec.Identity:
                return block.SequenceEqual(digest);
            default:
                return null;
        }
    }

    public bool Equals(Multihash? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Multihash);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Multicodec.NameOf(Code) + ":" + Convert.ToHexStringLower(Digest.Span);
}
