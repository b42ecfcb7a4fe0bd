using System.Diagnostics.CodeAnalysis;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>
/// How a stored block's CID is made (Kubo's <c>cid.Prefix</c>): version, codec, hash function and digest length
/// (−1: the function's own). Kubo's <c>block/put</c> baseline is CIDv1, raw, sha2-256.
/// </summary>
internal sealed record BlockPrefix(int Version, ulong Codec, ulong HashCode, int HashLength)
{
    /// <summary>Kubo's soft block limit (cmdutils.SoftBlockLimit, 1 MiB up to Kubo 0.39; 0.40 raised it to 2 MiB).</summary>
    public const int SoftBlockLimit = 1024 * 1024;

    /// <summary>
    /// The largest block this gateway holds in memory even with <c>allow-big-block</c> (the Go peer always sends it,
    /// docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12): one block must be read whole to be hashed before it can be framed in the CAR.
    /// </summary>
    public const int HardBlockLimit = 16 * 1024 * 1024;

    /// <summary>cmdutils.CheckBlockSize's text (Kubo ≤ 0.39, which kubo-rpc-client 7.1 and ipfs-cluster 1.1.6 meet).</summary>
    public const string OverSoftLimit =
        "produced block is over 1MiB: big blocks can't be exchanged with other peers. consider using UnixFS for automatic chunking of bigger files, or pass --allow-big-block to override";

    public static string OverHardLimit { get; } =
        $"block is over this gateway's limit of {HardBlockLimit / (1024 * 1024)}MiB for one block, even with --allow-big-block";

    /// <summary>The block limit for an upload: Kubo's soft limit unless <c>allow-big-block</c>.</summary>
    public static int Limit(bool allowBigBlock) => allowBigBlock ? HardBlockLimit : SoftBlockLimit;

    /// <summary>
    /// Kubo's <c>block/put</c> option rules (core/commands/block.go, coreiface/options/block.go): <c>mhtype</c>
    /// (default sha2-256), <c>mhlen</c>, <c>cid-codec</c> (default raw) or the legacy <c>format</c>
    /// (<c>v0</c> → CIDv0 dag-pb, <c>protobuf</c> → dag-pb, <c>cbor</c> → dag-cbor, else a codec name).
    /// </summary>
    public static bool TryParseBlockPut(string? cidCodec, string? mhtype, int mhlen, string? format, [NotNullWhen(true)] out BlockPrefix? prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = null;
        mhtype = string.IsNullOrEmpty(mhtype) ? "sha2-256" : mhtype;
        if (!KuboNames.TryHash(mhtype, out var hash))
        {
            error = $"unrecognized multihash function: {mhtype}";
            return false;
        }

        cidCodec ??= "raw";
        var version = 1;
        ulong codec = Multicodec.Raw;
        if (!string.IsNullOrEmpty(format))
        {
            if (cidCodec is not ("" or "raw"))
            {
                error = "unable to use \"format\" (deprecated) and a custom \"cid-codec\" at the same time";
                return false;
            }

            version = format == "v0" ? 0 : 1;
            var name = format switch { "v0" or "protobuf" => "dag-pb", "cbor" => "dag-cbor", _ => format };
            if (!KuboNames.TryCodec(name, out codec, out error))
            {
                return false;
            }

            if (version == 0 && codec != Multicodec.DagPb)
            {
                error = "only dag-pb is allowed with CIDv0";
                return false;
            }

            if (version == 0 && (hash != Multicodec.Sha2_256 || mhlen is not (-1 or 32)))
            {
                // Kubo's text, typo included.
                error = "only sha2-255-32 is allowed with CIDv0";
                return false;
            }
        }
        else if (cidCodec.Length > 0 && !KuboNames.TryCodec(cidCodec, out codec, out error))
        {
            return false;
        }

        return TryCreate(version, codec, hash, mhtype, mhlen, out prefix, out error);
    }

    /// <summary>A prefix for a hash this gateway can compute; otherwise an error naming the function.</summary>
    public static bool TryCreate(int version, ulong codec, ulong hash, string hashName, int length, [NotNullWhen(true)] out BlockPrefix? prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = null;
        if (!BlockHasher.CanHash(hash))
        {
            error = $"multihash function {hashName} is known to Kubo but not computed by this gateway (use sha2-256, sha2-512, sha2-384, sha1, md5, dbl-sha2-256, identity or sha3-*)";
            return false;
        }

        if (length < -1)
        {
            error = "invalid multihash length " + length;
            return false;
        }

        error = null;
        prefix = new BlockPrefix(version, codec, hash, length);
        return true;
    }

    /// <summary>Kubo's <c>Prefix.Sum</c>: the CID of <paramref name="block"/>.</summary>
    public Cid? Sum(ReadOnlySpan<byte> block, out string? error)
    {
        var multihash = BlockHasher.Sum(HashCode, HashLength, block, out error);
        if (multihash is null)
        {
            return null;
        }

        return Version == 0 ? Cid.V0(multihash) : Cid.V1(Codec, multihash);
    }
}
