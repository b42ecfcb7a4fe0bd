using System.Buffers;
using System.Buffers.Text;
using SimpleBase;

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
/// Encoders and strict decoders for <see cref="Multibase"/>: the arithmetic is SimpleBase's (base58, base36, base32) and
/// the BCL's (hex, base64); what is ours is the strictness in front of it. Decoding never throws (CID parsing of every
/// Kubo RPC <c>arg</c> goes through here) and rejects what go-multibase rejects, with its error texts: wrong case for the
/// prefix, impossible lengths, padding where none is allowed, whitespace — each library is more lenient somewhere
/// (SimpleBase's RFC 4648 base32 takes either case, the BCL's base64 skips whitespace), so every character is checked
/// against the exact alphabet first, and the libraries only ever see valid input.
/// </summary>
internal static class MultibaseCodec
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Base36Lower = "0123456789abcdefghijklmnopqrstuvwxyz";
    private const string Base32Lower = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base32UpperAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base16Lower = "0123456789abcdef";
    private const string Base64Std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Writes lowercase base32 (the CIDv1 default) as one string, rather than an uppercase one lowered afterwards.
    // The characters each decoder accepts, searched in one vectorised pass (a CID is parsed for every CID of a
    // status request). Case-insensitive bases accept both cases, as go-multibase does.
    private static readonly SearchValues<char> Base58Chars = SearchValues.Create(Base58Alphabet);
    private static readonly SearchValues<char> Base36Chars = SearchValues.Create(Base36Lower + Base36Lower.ToUpperInvariant());
    private static readonly SearchValues<char> Base16Chars = SearchValues.Create(Base16Lower + "ABCDEF");
    private static readonly SearchValues<char> Base32LowerChars = SearchValues.Create(Base32Lower);
    private static readonly SearchValues<char> Base32UpperChars = SearchValues.Create(Base32UpperAlphabet);
    private static readonly SearchValues<char> Base64StdChars = SearchValues.Create(Base64Std);
    private static readonly SearchValues<char> Base64UrlChars = SearchValues.Create(Base64UrlAlphabet);
    private static readonly Base32 Base32LowerCoder = new(new Base32Alphabet(Base32Lower));

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
        var text = encoding switch
        {
            Multibase.Base58BtcImplicit or Multibase.Base58Btc => Base58.Bitcoin.Encode(data),
            Multibase.Base36 => EncodeBase36(data).ToLowerInvariant(),
            Multibase.Base36Upper => EncodeBase36(data).ToUpperInvariant(),
            Multibase.Base16 => Convert.ToHexStringLower(data),
            Multibase.Base16Upper => Convert.ToHexString(data),
            Multibase.Base32 => Base32LowerCoder.Encode(data, false),
            Multibase.Base32Upper => Base32.Rfc4648.Encode(data, false),
            Multibase.Base64 => Convert.ToBase64String(data).TrimEnd('='),
            Multibase.Base64Pad => Convert.ToBase64String(data),
            Multibase.Base64Url => Base64Url.EncodeToString(data),
            Multibase.Base64UrlPad => PadTo4(Base64Url.EncodeToString(data)),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        return PrefixOf(encoding) is { } prefix ? prefix + text : text;
    }

    /// <summary>Decodes <paramref name="text"/> (without its prefix character); null error on success.</summary>
    public static string? TryDecode(ReadOnlySpan<char> text, Multibase encoding, out byte[] data)
    {
        data = [];
        switch (encoding)
        {
            case Multibase.Base58BtcImplicit or Multibase.Base58Btc:
                return CheckAlphabet(text, Base58Chars) ?? Decode(Base58.Bitcoin, text, out data);
            case Multibase.Base36 or Multibase.Base36Upper:
                // go-multibase decodes base36 case-insensitively for both prefixes.
                return CheckAlphabet(text, Base36Chars) ?? DecodeBase36(text, out data);
            case Multibase.Base16 or Multibase.Base16Upper:
                // Go's hex.DecodeString accepts either case.
                return CheckLength(text, 4) ?? CheckAlphabet(text, Base16Chars) ?? DecodeHex(text, out data);
            case Multibase.Base32:
                return CheckLength(text, 5) ?? CheckAlphabet(text, Base32LowerChars) ?? Decode(Base32.Rfc4648, text, out data);
            case Multibase.Base32Upper:
                return CheckLength(text, 5) ?? CheckAlphabet(text, Base32UpperChars) ?? Decode(Base32.Rfc4648, text, out data);
            case Multibase.Base64:
                return CheckLength(text, 6) ?? CheckAlphabet(text, Base64StdChars) ?? DecodeBase64(text, url: false, out data);
            case Multibase.Base64Url:
                return CheckLength(text, 6) ?? CheckAlphabet(text, Base64UrlChars) ?? DecodeBase64(text, url: true, out data);
            case Multibase.Base64Pad:
                return TryStripPadding(ref text) ?? CheckLength(text, 6) ?? CheckAlphabet(text, Base64StdChars) ?? DecodeBase64(text, url: false, out data);
            case Multibase.Base64UrlPad:
                return TryStripPadding(ref text) ?? CheckLength(text, 6) ?? CheckAlphabet(text, Base64UrlChars) ?? DecodeBase64(text, url: true, out data);
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

    /// <summary>A length no whole number of bytes gives (e.g. one base32 character beyond a byte boundary).</summary>
    private static string? CheckLength(ReadOnlySpan<char> text, int bitsPerChar) =>
        text.Length * bitsPerChar % 8 >= bitsPerChar ? "illegal data length " + text.Length + " for this base" : null;

    private static string? CheckAlphabet(ReadOnlySpan<char> text, SearchValues<char> alphabet)
    {
        var bad = text.IndexOfAnyExcept(alphabet);
        return bad < 0 ? null : "illegal character at position " + bad;
    }

    private static string? Decode(INonAllocatingBaseCoder coder, ReadOnlySpan<char> text, out byte[] data)
    {
        var buffer = new byte[coder.GetSafeByteCountForDecoding(text)];
        if (!coder.TryDecode(text, buffer, out var written))
        {
            data = [];
            return "illegal data";
        }

        data = buffer[..written];
        return null;
    }

    private static string? DecodeHex(ReadOnlySpan<char> text, out byte[] data)
    {
        data = new byte[text.Length / 2];
        return Convert.FromHexString(text, data, out _, out _) == System.Buffers.OperationStatus.Done ? null : "illegal data";
    }

    /// <summary>Unpadded (checked above) base64 or base64url; trailing bits beyond the last byte are ignored, as Go's non-strict decoder does.</summary>
    private static string? DecodeBase64(ReadOnlySpan<char> text, bool url, out byte[] data)
    {
        // Drop the bits of a last partial character group that do not make a byte, so neither decoder can object to them.
        var chars = new char[(text.Length + 3) / 4 * 4];
        text.CopyTo(chars);
        for (var i = text.Length; i < chars.Length; i++)
        {
            chars[i] = '=';
        }

        if (url)
        {
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = chars[i] switch { '-' => '+', '_' => '/', var c => c };
            }
        }

        ClearTrailingBits(chars, text.Length);
        data = new byte[text.Length * 6 / 8];
        return Convert.TryFromBase64Chars(chars, data, out var written) && written == data.Length ? null : "illegal data";
    }

    private static void ClearTrailingBits(char[] chars, int length)
    {
        var extraBits = length * 6 % 8;
        if (extraBits == 0)
        {
            return;
        }

        var last = Base64Std.IndexOf(chars[length - 1], StringComparison.Ordinal);
        chars[length - 1] = Base64Std[last & ~((1 << extraBits) - 1)];
    }

    private static string PadTo4(string text) => text.PadRight((text.Length + 3) / 4 * 4, '=');

    /// <summary>go-multibase's base36 keeps leading zero bytes as leading '0' characters, like base58.</summary>
    private static string EncodeBase36(ReadOnlySpan<byte> data)
    {
        var zeros = data.IndexOfAnyExcept((byte)0);
        zeros = zeros < 0 ? data.Length : zeros;
        return new string('0', zeros) + (zeros < data.Length ? SimpleBase.Base36.LowerCase.Encode(data[zeros..]) : "");
    }

    private static string? DecodeBase36(ReadOnlySpan<char> text, out byte[] data)
    {
        var zeros = text.IndexOfAnyExcept('0');
        zeros = zeros < 0 ? text.Length : zeros;
        var rest = text[zeros..].ToString().ToLowerInvariant();
        data = [];
        if (rest.Length == 0)
        {
            data = new byte[zeros];
            return null;
        }

        var error = Decode(SimpleBase.Base36.LowerCase, rest, out var digits);
        if (error is not null)
        {
            return error;
        }

        // The coder may keep leading zero bytes of its own; only the '0' characters counted above stand for them.
        var first = digits.AsSpan().IndexOfAnyExcept((byte)0);
        var significant = first < 0 ? [] : digits.AsSpan(first);
        data = new byte[zeros + significant.Length];
        significant.CopyTo(data.AsSpan(zeros));
        return null;
    }
}
