using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CompositeGateway.Lab;

/// <summary>
/// ipfs-cluster's REST authentication (docs/protocol/cluster-rest.md §1.1; api/common/api.go <c>authHandler</c>): Basic with a
/// configured user, or a Bearer JWT signed with HMAC using that user's password, its <c>iss</c>
/// naming the user. <c>OPTIONS</c> and <c>GET /health</c> are exempt.
/// </summary>
internal static class LabAuth
{
    private const string Realm = "Restricted IPFS Cluster API";

    /// <summary>null when the request may proceed; otherwise the 401 message, with WWW-Authenticate headers already set.</summary>
    /// <param name="context">The request.</param>
    /// <param name="credentials">User → password; null = authentication off.</param>
    /// <param name="now">The cluster's clock.</param>
    /// <param name="tokens">Issued tokens, for revocation (lab only).</param>
    /// <param name="requireBearer">Lab only: Basic is accepted on <c>POST /token</c> alone, to prove a client uses its token.</param>
    public static string? Check(HttpContext context, IReadOnlyDictionary<string, string>? credentials, DateTimeOffset now, LabTokens? tokens = null, bool requireBearer = false)
    {
        var request = context.Request;
        if (credentials is null || request.Method == HttpMethods.Options || (request.Method == HttpMethods.Get && request.Path == "/health"))
        {
            return null;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (TryParseBasic(authorization, out var user, out var password))
        {
            if (requireBearer && !(request.Method == HttpMethods.Post && request.Path == "/token"))
            {
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm}\"";
                return "unauthorized: lab: --require-bearer accepts Basic on POST /token only";
            }

            if (user.Length > 0 && password.Length > 0 && credentials.TryGetValue(user, out var expected) && expected == password)
            {
                return null;
            }

            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            return "unauthorized: access denied";
        }

        if (TryParseBearer(authorization, out var token))
        {
            if (VerifyToken(credentials, token, now, tokens) is not null)
            {
                return null;
            }

            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm}\", error=\"invalid_token\"";
            return "unauthorized: invalid token";
        }

        context.Response.Headers.Append("WWW-Authenticate", $"Bearer realm=\"{Realm}\"");
        context.Response.Headers.Append("WWW-Authenticate", $"Basic realm=\"{Realm}\"");
        return "unauthorized: no auth provided";
    }

    /// <summary>Go's <c>Request.BasicAuth</c>: scheme case-insensitive, base64 of <c>user:password</c>.</summary>
    public static bool TryParseBasic(string authorization, out string user, out string password)
    {
        user = password = "";
        const string prefix = "Basic ";
        if (authorization.Length < prefix.Length || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[prefix.Length..]));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    public static bool TryParseBearer(string authorization, out string token)
    {
        const string prefix = "Bearer ";
        token = "";
        if (authorization.Length < prefix.Length || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = authorization[prefix.Length..];
        return true;
    }

    /// <summary>The token ipfs-cluster issues: HS256, claims <c>{"iss":user}</c> only, so it never expires.</summary>
    public static string IssueToken(string user, string password) => new LabTokens(null).Issue(user, password, DateTimeOffset.UnixEpoch);

    /// <summary>The issuer of a valid token, or null. Registered time claims are checked when present.</summary>
    public static string? VerifyToken(IReadOnlyDictionary<string, string> credentials, string token, DateTimeOffset now, LabTokens? tokens = null)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() is not { } algorithm)
            {
                return null;
            }

            if (!payload.RootElement.TryGetProperty("iss", out var iss) || iss.GetString() is not { } issuer
                || !credentials.TryGetValue(issuer, out var key))
            {
                return null;
            }

            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var keyBytes = Encoding.UTF8.GetBytes(key);
            byte[] expected = algorithm switch
            {
                "HS256" => HMACSHA256.HashData(keyBytes, signed),
                "HS384" => HMACSHA384.HashData(keyBytes, signed),
                "HS512" => HMACSHA512.HashData(keyBytes, signed),
                _ => [],
            };
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, FromBase64Url(parts[2])))
            {
                return null;
            }

            var seconds = now.ToUnixTimeSeconds();
            if (payload.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var expires) && expires <= seconds)
            {
                return null;
            }

            if (payload.RootElement.TryGetProperty("nbf", out var nbf) && nbf.TryGetInt64(out var notBefore) && notBefore > seconds)
            {
                return null;
            }

            var jti = payload.RootElement.TryGetProperty("jti", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return tokens is not null && tokens.IsRevoked(jti) ? null : issuer;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
