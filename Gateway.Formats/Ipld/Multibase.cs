using System.Text;

namespace CompositeGateway.Ipld;

/// <summary>The multibase encodings a CID string may use (multiformats/multibase, prefix character in parentheses).</summary>
internal enum Multibase
{
    /// <summary>No prefix: only CIDv0 is written this way.</summary>
    Base58BtcImplicit,

    /// <summary>(<c>f</c>) lowercase hex.</summary>
    Base16,

    /// <summary>(<c>F</c>) uppercase hex.</summary>
    Base16Upper,

    /// <summary>(<c>b</c>) RFC 4648 base32, lowercase, no padding: the CIDv1 default.</summary>
    Base32,

    /// <summary>(<c>B</c>) RFC 4648 base32, uppercase, no padding.</summary>
    Base32Upper,

    /// <summary>(<c>k</c>) base36, lowercase (IPNS keys in subdomains).</summary>
    Base36,

    /// <summary>(<c>K</c>) base36, uppercase.</summary>
    Base36Upper,

    /// <summary>(<c>z</c>) base58 with the bitcoin alphabet.</summary>
    Base58Btc,

    /// <summary>(<c>m</c>) RFC 4648 base64, no padding.</summary>
    Base64,

    /// <summary>(<c>M</c>) RFC 4648 base64, padded.</summary>
    Base64Pad,

    /// <summary>(<c>u</c>) RFC 4648 base64url, no padding.</summary>
    Base64Url,

    /// <summary>(<c>U</c>) RFC 4648 base64url, padded.</summary>
    Base64UrlPad,
}

/// <summary>
/// Encoders and strict decoders for <see cref="Multibase"/>. Written here rather than taken from
/// SimpleBase because decoding must never throw anything but a result code (CID parsing of every
/// Kubo RPC <c>arg</c> goes through here) and must reject what go-multibase rejects: wrong case
/// for the prefix, impossible lengths, padding where none is allowed, whitespace.
/// </summary>
internal static class MultibaseCodec
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Base36Lower = "0123456789abcdefghijklmnopqrstuvwxyz";
    private const string Base36UpperAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Base32Lower = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base32UpperAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base16Lower = "0123456789abcdef";
    private const string Base16UpperAlphabet = "0123456789ABCDEF";
    private const string Base64Std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static char? PrefixOf(Multibase encoding) => encoding switch
    {
        Multibase.Base58BtcImplicit => null,
        Multibase.Base16 => 'f',
        Multibase.Base16Upper => 'F',
        Multibase.Base32 => 'b',
        Multibase.Base32Upper => 'B',
        Multibase.Base36 => 'k',
        Multibase.Base36Upper => 'K',
        Multibase.Base58Btc => 'z',
        Multibase.Base64 => 'm',
        Multibase.Base64Pad => 'M',
        Multibase.Base64Url => 'u',
        Multibase.Base64UrlPad => 'U',
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    public static bool TryFromPrefix(char prefix, out Multibase encoding)
    {
        encoding = prefix switch
        {
            'f' => Multibase.Base16,
            'F' => Multibase.Base16Upper,
            'b' => Multibase.Base32,
            'B' => Multibase.Base32Upper,
            'k' => Multibase.Base36,
            'K' => Multibase.Base36Upper,
            'z' => Multibase.Base58Btc,
            'm' => Multibase.Base64,
            'M' => Multibase.Base64Pad,
            'u' => Multibase.Base64Url,
            'U' => Multibase.Base64UrlPad,
            _ => Multibase.Base58BtcImplicit,
        };
        return encoding != Multibase.Base58BtcImplicit;
    }

    /// <summary>Encodes with the prefix character (none for <see cref="Multibase.Base58BtcImplicit"/>).</summary>
    public static string Encode(ReadOnlySpan<byte> data, Multibase encoding)
    {
        var sb = new StringBuilder(data.Length * 2 + 1);
        if (PrefixOf(encoding) is { } prefix)
        {
            sb.Append(prefix);
        }

        switch (encoding)
        {
            case Multibase.Base58BtcImplicit or Multibase.Base58Btc:
                EncodeBaseN(data, Base58Alphabet, sb);
                break;
            case Multibase.Base36:
                EncodeBaseN(data, Base36Lower, sb);
                break;
            case Multibase.Base36Upper:
                EncodeBaseN(data, Base36UpperAlphabet, sb);
                break;
            case Multibase.Base16:
                EncodeBits(data, Base16Lower, 4, pad: false, sb);
                break;
            case Multibase.Base16Upper:
                EncodeBits(data, Base16UpperAlphabet, 4, pad: false, sb);
                break;
            case Multibase.Base32:
                EncodeBits(data, Base32Lower, 5, pad: false, sb);
                break;
            case Multibase.Base32Upper:
                EncodeBits(data, Base32UpperAlphabet, 5, pad: false, sb);
                break;
            case Multibase.Base64:
                EncodeBits(data, Base64Std, 6, pad: false, sb);
                break;
            case Multibase.Base64Pad:
                EncodeBits(data, Base64Std, 6, pad: true, sb);
                break;
            case Multibase.Base64Url:
                EncodeBits(data, Base64UrlAlphabet, 6, pad: false, sb);
                break;
            case Multibase.Base64UrlPad:
                EncodeBits(data, Base64UrlAlphabet, 6, pad: true, sb);
                break;
        }

        return sb.ToString();
    }

    /// <summary>Decodes <paramref name="text"/> (without its prefix character); null error on success.</summary>
    public static string? TryDecode(ReadOnlySpan<char> text, Multibase encoding, out byte[] data)
    {
        data = [];
        switch (encoding)
        {
            case Multibase.Base58BtcImplicit or Multibase.Base58Btc:
                return TryDecodeBaseN(text, Base58Alphabet, caseInsensitive: false, out data);
            case Multibase.Base36 or Multibase.Base36Upper:
                // go-multibase decodes base36 case-insensitively for both prefixes.
                return TryDecodeBaseN(text, Base36Lower, caseInsensitive: true, out data);
            case Multibase.Base16 or Multibase.Base16Upper:
                // Go's hex.DecodeString accepts either case.
                return TryDecodeBits(text, Base16Lower, 4, caseInsensitive: true, out data);
            case Multibase.Base32:
                return TryDecodeBits(text, Base32Lower, 5, caseInsensitive: false, out data);
            case Multibase.Base32Upper:
                return TryDecodeBits(text, Base32UpperAlphabet, 5, caseInsensitive: false, out data);
            case Multibase.Base64:
                return TryDecodeBits(text, Base64Std, 6, caseInsensitive: false, out data);
            case Multibase.Base64Url:
                return TryDecodeBits(text, Base64UrlAlphabet, 6, caseInsensitive: false, out data);
            case Multibase.Base64Pad:
                return TryStripPadding(ref text) ?? TryDecodeBits(text, Base64Std, 6, caseInsensitive: false, out data);
            case Multibase.Base64UrlPad:
                return TryStripPadding(ref text) ?? TryDecodeBits(text, Base64UrlAlphabet, 6, caseInsensitive: false, out data);
            default:
                return "selected encoding not supported";
        }
    }

    private static string? TryStripPadding(ref ReadOnlySpan<char> text)
    {
        if (text.Length % 4 != 0)
        {
            return "illegal base64 data: bad padding";
        }

        var pads = 0;
        while (pads < 2 && text.Length > pads && text[^(pads + 1)] == '=')
        {
            pads++;
        }

        text = text[..^pads];
        return null;
    }

    private static void EncodeBits(ReadOnlySpan<byte> data, string alphabet, int bitsPerChar, bool pad, StringBuilder sb)
    {
        var mask = (1 << bitsPerChar) - 1;
        var buffer = 0;
        var bits = 0;
        var start = sb.Length;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= bitsPerChar)
            {
                bits -= bitsPerChar;
                sb.Append(alphabet[(buffer >> bits) & mask]);
            }

            buffer &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            sb.Append(alphabet[(buffer << (bitsPerChar - bits)) & mask]);
        }

        if (pad)
        {
            while ((sb.Length - start) % 4 != 0)
            {
                sb.Append('=');
            }
        }
    }

    private static string? TryDecodeBits(ReadOnlySpan<char> text, string alphabet, int bitsPerChar, bool caseInsensitive, out byte[] data)
    {
        data = [];
        if (text.Length * bitsPerChar % 8 >= bitsPerChar)
        {
            return "illegal data length " + text.Length + " for this base";
        }

        var output = new byte[text.Length * bitsPerChar / 8];
        var buffer = 0;
        var bits = 0;
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (caseInsensitive && c is >= 'A' and <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }

            var value = c < 128 ? alphabet.IndexOf(c, StringComparison.Ordinal) : -1;
            if (value < 0)
            {
                return "illegal character at position " + i;
            }

            buffer = (buffer << bitsPerChar) | value;
            bits += bitsPerChar;
            if (bits >= 8)
            {
                bits -= 8;
                output[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        data = output;
        return null;
    }

    private static void EncodeBaseN(ReadOnlySpan<byte> data, string alphabet, StringBuilder sb)
    {
        var radix = alphabet.Length;
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // Little-endian digits in the target base; grows as input bytes are folded in.
        var digits = new byte[(data.Length - zeros) * 2 + 1];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            var carry = (int)data[i];
            for (var j = 0; j < length; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % radix);
                carry /= radix;
            }

            while (carry > 0)
            {
                digits[length++] = (byte)(carry % radix);
                carry /= radix;
            }
        }

        sb.Append(alphabet[0], zeros);
        for (var j = length - 1; j >= 0; j--)
        {
            sb.Append(alphabet[digits[j]]);
        }
    }

    private static string? TryDecodeBaseN(ReadOnlySpan<char> text, string alphabet, bool caseInsensitive, out byte[] data)
    {
        data = [];
        var radix = alphabet.Length;
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == alphabet[0])
        {
            zeros++;
        }

        // Little-endian base-256 digits.
        var bytes = new byte[text.Length];
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            if (caseInsensitive && c is >= 'A' and <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }

            var carry = c < 128 ? alphabet.IndexOf(c, StringComparison.Ordinal) : -1;
            if (carry < 0)
            {
                return "illegal character at position " + i;
            }

            for (var j = 0; j < length; j++)
            {
                carry += bytes[j] * radix;
                bytes[j] = (byte)carry;
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes[length++] = (byte)carry;
                carry >>= 8;
            }
        }

        var output = new byte[zeros + length];
        for (var j = 0; j < length; j++)
        {
            output[zeros + j] = bytes[length - 1 - j];
        }

        data = output;
        return null;
    }
}
