using System.Security.Cryptography;
using System.Text;
using CompositeGateway.Configuration;

namespace CompositeGateway.Security;

/// <summary>
/// <c>admin_auth</c>: every admin route but <c>/health</c> (which orchestrators probe without credentials) needs
/// <c>Authorization: Bearer TOKEN</c>, as Prometheus' <c>authorization</c> scrape setting sends it. Compared in constant
/// time like <see cref="KuboAuthorizer"/>.
/// </summary>
internal sealed class AdminTokenMiddleware(AdminAuthOptions options, RefusalLog refusals)
{
    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + options.Token));

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path.Equals("/health", StringComparison.Ordinal) || Matches(http.Request.Headers.Authorization.ToString()))
        {
            await next(http);
            return;
        }

        refusals.Refused("admin", http.Request.Path.Value ?? "", http.Connection.RemoteIpAddress?.ToString() ?? "unix socket",
            http.Request.Headers.Authorization.Count == 0 ? "no Authorization header" : "wrong admin_auth token");
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"composite-gateway admin\"";
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync("unauthorized: this admin route needs Authorization: Bearer <admin_auth token>\n", http.RequestAborted);
    }

    private bool Matches(string header)
    {
        if (header.Length == 0)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(header), hash);
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }
}
