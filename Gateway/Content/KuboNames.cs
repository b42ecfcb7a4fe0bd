using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>
/// Codec and hash names as Kubo's options take them: go-multicodec's <c>Code.Set</c> (a table name, or a number
/// of a known code or of the reserved range) and go-multihash's <c>Names</c>. Only the entries a block/put or
/// dag/put can sensibly name are listed; any other name gets Kubo's "unknown" text.
/// </summary>
internal static class KuboNames
{
    private static readonly FrozenDictionary<string, ulong> Codecs = new Dictionary<string, ulong>(StringComparer.Ordinal)
    {
        ["identity"] = Multicodec.Identity,
        ["cbor"] = 0x51,
        ["raw"] = Multicodec.Raw,
        ["dag-pb"] = Multicodec.DagPb,
        ["dag-cbor"] = Multicodec.DagCbor,
        ["libp2p-key"] = Multicodec.Libp2pKey,
        ["git-raw"] = 0x78,
        ["torrent-info"] = 0x7b,
        ["torrent-file"] = 0x7c,
        ["dag-jose"] = 0x85,
        ["dag-cose"] = 0x86,
        ["dag-json"] = Multicodec.DagJson,
        ["json"] = 0x0200,
        ["car"] = 0x0202,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>go-multihash <c>Names</c> (the functions Kubo recognises by name) and their codes.</summary>
    private static readonly FrozenDictionary<string, ulong> Hashes = BuildHashes();

    /// <summary>Kubo's <c>mc.Code.Set</c>: a name, or the number of a known code; error text as go-multicodec's.</summary>
    public static bool TryCodec(string text, out ulong code, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (Codecs.TryGetValue(text, out code))
        {
            return true;
        }

        if (TryParseGoUint(text, out var number) && (number is >= 0x300000 and <= 0x3FFFFF || Codecs.Values.Contains(number) || Hashes.Values.Contains(number)))
        {
            code = number;
            return true;
        }

        // Multihash functions are multicodec table entries too (dag/put's hash option goes through Code.Set).
        if (Hashes.TryGetValue(text, out code))
        {
            return true;
        }

        error = $"unknown multicodec: \"{text}\"";
        return false;
    }

    /// <summary>go-multihash's <c>Names[name]</c>; Kubo's block/put text when unknown.</summary>
    public static bool TryHash(string text, out ulong code) => Hashes.TryGetValue(text, out code);

    /// <summary>Go <c>strconv.ParseUint(text, 0, 64)</c>: decimal, <c>0x</c> hex, <c>0o</c>/<c>0</c> octal, <c>0b</c> binary.</summary>
    private static bool TryParseGoUint(string text, out ulong value)
    {
        value = 0;
        var t = text.Replace("_", "", StringComparison.Ordinal);
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return t.Length > 2 && ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            return t.Length > 2 && ulong.TryParse(t.AsSpan(2), NumberStyles.AllowBinarySpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (t.Length > 1 && t[0] == '0')
        {
            var digits = t.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? t[2..] : t[1..];
            try
            {
                value = digits.Length > 0 ? Convert.ToUInt64(digits, 8) : 0;
                return digits.Length > 0;
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                return false;
            }
        }

        return t.Length > 0 && char.IsAsciiDigit(t[0]) && ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static FrozenDictionary<string, ulong> BuildHashes()
    {
        var names = new Dictionary<string, ulong>(StringComparer.Ordinal)
        {
            ["identity"] = 0x00,
            ["sha1"] = 0x11,
            ["sha2-256"] = 0x12,
            ["sha2-512"] = 0x13,
            ["sha3-512"] = 0x14,
            ["sha3-384"] = 0x15,
            ["sha3-256"] = 0x16,
            ["sha3-224"] = 0x17,
            ["shake-128"] = 0x18,
            ["shake-256"] = 0x19,
            ["keccak-224"] = 0x1a,
            ["keccak-256"] = 0x1b,
            ["keccak-384"] = 0x1c,
            ["keccak-512"] = 0x1d,
            ["blake3"] = 0x1e,
            ["sha2-384"] = 0x20,
            ["murmur3-x64-64"] = 0x22,
            ["dbl-sha2-256"] = 0x56,
            ["md5"] = 0xd5,
            ["sha2-256-trunc254-padded"] = 0x1012,
            ["sha2-224"] = 0x1013,
            ["sha2-512-224"] = 0x1014,
            ["sha2-512-256"] = 0x1015,
            ["x11"] = 0x1100,
            ["poseidon-bls12_381-a2-fc1"] = 0xb401,
        };
        for (var bits = 8; bits <= 512; bits += 8)
        {
            names[$"blake2b-{bits}"] = 0xb200 + (ulong)(bits / 8);
        }

        for (var bits = 8; bits <= 256; bits += 8)
        {
            names[$"blake2s-{bits}"] = 0xb240 + (ulong)(bits / 8);
        }

        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
