using System.Buffers;

namespace CompositeGateway.Clusters;

/// <summary>
/// Cheap shape checks for values put into undercluster URLs. They only guard the URL and the
/// cluster's silent-drop cases (docs/protocol/cluster-rest.md §4); real CID decoding belongs to <c>Ipld/</c>.
/// </summary>
internal static class ClusterSyntax
{
    private const string AsciiLettersAndDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Every CID of a listing is checked before its status request: a vectorised search, not a call per character.
    private static readonly SearchValues<char> CidChars = SearchValues.Create(AsciiLettersAndDigits + "-_");
    private static readonly SearchValues<char> PeerIdChars = SearchValues.Create(AsciiLettersAndDigits);

    /// <summary>Multibase strings in URL-safe alphabets (base58btc, base32, base36, base64url).</summary>
    public static bool IsCid(string value) => value.Length is > 0 and <= 512 && !value.AsSpan().ContainsAnyExcept(CidChars);

    /// <summary><c>Qm…</c>/<c>12D3Koo…</c> (base58btc) or CIDv1 peer IDs.</summary>
    public static bool IsPeerId(string value) => value.Length is > 0 and <= 256 && !value.AsSpan().ContainsAnyExcept(PeerIdChars);

    /// <summary>docs/protocol/cluster-rest.md §4: each origin must parse as a multiaddress and contain <c>/p2p/&lt;id&gt;</c>.</summary>
    public static bool IsOrigin(string value)
    {
        if (!value.StartsWith('/') || value.Contains(',') || value.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var at = value.LastIndexOf("/p2p/", StringComparison.Ordinal);
        return at >= 0 && IsPeerId(value[(at + 5)..].TrimEnd('/'));
    }

    /// <summary>
    /// <c>/ipfs|ipns|ipld/…</c> as the path routes expect it (docs/protocol/cluster-rest.md §5.5): a bare CID gets <c>/ipfs/</c>
    /// (like the Go client), a trailing slash is trimmed (the server would 307, §1), and each
    /// segment is percent-encoded. Null when the path cannot be sent.
    /// </summary>
    public static string? ToPinPath(string path)
    {
        if (IsCid(path))
        {
            path = "/ipfs/" + path;
        }

        var segments = path.TrimEnd('/').Split('/');
        if (segments.Length < 3 || segments[0].Length != 0 || segments[1] is not ("ipfs" or "ipns" or "ipld"))
        {
            return null;
        }

        if (segments.Skip(2).Any(s => s.Length == 0 || s is "." or ".."))
        {
            return null;
        }

        return string.Join('/', segments.Select(Uri.EscapeDataString));
    }
}
