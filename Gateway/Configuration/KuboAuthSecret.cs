using System.Text;

namespace CompositeGateway.Configuration;

/// <summary>
/// Kubo's secret text (<c>API.Authorizations.*.AuthSecret</c>, Kubo's <c>config.ConvertAuthSecret</c>) turned into the
/// exact <c>Authorization</c> header value a client sends: <c>bearer:TOKEN</c> → <c>Bearer TOKEN</c>,
/// <c>basic:user:password</c> → <c>Basic base64(user:password)</c>, <c>basic:BASE64</c> → <c>Basic BASE64</c>, and
/// text without a type → <c>Bearer text</c>. Kubo silently ignores an unknown type; we refuse it.
/// </summary>
internal static class KuboAuthSecret
{
    public static string? ToHeader(string secret, out string? error)
    {
        error = null;
        if (secret.Any(c => char.IsControl(c)))
        {
            error = "must be one line without control characters";
            return null;
        }

        var colon = secret.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return "Bearer " + secret;
        }

        var (type, rest) = (secret[..colon], secret[(colon + 1)..]);
        if (rest.Length == 0)
        {
            error = "the secret after its type (bearer: or basic:) is empty";
            return null;
        }

        switch (type)
        {
            case "bearer":
                return "Bearer " + rest;
            case "basic":
                return rest.Contains(':', StringComparison.Ordinal)
                    ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(rest))
                    : "Basic " + rest;
            default:
                // Deliberately no echo of the text: it may be the secret itself.
                error = "must be Kubo's form: bearer:TOKEN or basic:USER:PASSWORD";
                return null;
        }
    }
}
