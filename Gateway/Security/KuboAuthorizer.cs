using System.Security.Cryptography;
using System.Text;
using CompositeGateway.Configuration;

namespace CompositeGateway.Security;

/// <summary>What <see cref="KuboAuthorizer"/> decided about one request.</summary>
internal enum KuboAuthorizationOutcome
{
    Allowed,

    /// <summary>No <c>Authorization</c> header: 401.</summary>
    Missing,

    /// <summary>A header that matches no entry: 401.</summary>
    Unknown,

    /// <summary>A known entry, but the path is outside its <c>allowed_paths</c>: 403.</summary>
    PathNotAllowed,
}

/// <summary>
/// Kubo's <c>API.Authorizations</c> check (Kubo <c>core/corehttp/commands.go</c>, <c>withAuthSecrets</c>): the whole
/// <c>Authorization</c> header must equal an entry's converted secret, and the path must lie under one of that entry's
/// <c>allowed_paths</c>; <c>/api/v0/version</c> is allowed to every entry, as in Kubo. Unlike Kubo, which compares with a
/// map lookup and matches plain string prefixes, the header is compared in constant time (SHA-256 of both sides, so the
/// lengths are equal too, then <see cref="CryptographicOperations.FixedTimeEquals"/> against every entry without an early
/// exit), and a prefix only covers whole path segments (<c>/api/v0/pin/ls</c> does not cover <c>/api/v0/pin/lsx</c>).
/// </summary>
internal sealed class KuboAuthorizer
{
    private const string VersionPath = "/api/v0/version";
    private readonly Entry[] entries;

    public KuboAuthorizer(IReadOnlyList<KuboAuthorization> authorizations) =>
        entries = [.. authorizations.Select(a => new Entry(a.Name, SHA256.HashData(Encoding.UTF8.GetBytes(a.ExpectedHeader)), [.. a.AllowedPaths]))];

    /// <summary>False when no authorization is configured: every Kubo listener is open, as before.</summary>
    public bool Enabled => entries.Length > 0;

    /// <param name="header">The request's <c>Authorization</c> header, if any.</param>
    /// <param name="path">The request path (decoded, dot segments already removed by Kestrel).</param>
    /// <param name="name">The matched entry's name; null when none matched.</param>
    public KuboAuthorizationOutcome Authorize(string? header, string path, out string? name)
    {
        name = null;
        if (string.IsNullOrEmpty(header))
        {
            return KuboAuthorizationOutcome.Missing;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(header), hash);
        Entry? match = null;
        foreach (var entry in entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                match ??= entry;
            }
        }

        if (match is null)
        {
            return KuboAuthorizationOutcome.Unknown;
        }

        name = match.Name;
        return path == VersionPath || match.AllowedPaths.Any(prefix => Covers(prefix, path))
            ? KuboAuthorizationOutcome.Allowed
            : KuboAuthorizationOutcome.PathNotAllowed;
    }

    /// <summary>True when <paramref name="prefix"/> is <paramref name="path"/> or one of its parent segments.</summary>
    internal static bool Covers(string prefix, string path) =>
        path.StartsWith(prefix, StringComparison.Ordinal)
        && (path.Length == prefix.Length || prefix.EndsWith('/') || path[prefix.Length] == '/');

    private sealed record Entry(string Name, byte[] Hash, string[] AllowedPaths);
}
