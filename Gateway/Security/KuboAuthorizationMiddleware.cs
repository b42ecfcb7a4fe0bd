using CompositeGateway.KuboRpc;
using CompositeGateway.Telemetry;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.Security;

/// <summary>
/// Runs <see cref="KuboAuthorizer"/> on a Kubo RPC listener that requires authorization, before the endpoint runs: a
/// refused request's body is never read and no undercluster is called for it (answered, forwarded and streamed
/// commands alike). Failures are Kubo JSON errors: 401 with <c>WWW-Authenticate</c> for missing or unknown credentials,
/// 403 for a path outside the entry's <c>allowed_paths</c> (Kubo itself answers 403 in plain text for both; see docs/security.md).
/// </summary>
internal sealed class KuboAuthorizationMiddleware(KuboAuthorizer authorizer, RefusalLog refusals)
{
    /// <summary>Kubo's own wording (core/corehttp/commands.go), which clients and operators may already search for.</summary>
    public const string DeniedMessage = "Kubo RPC Access Denied: Please provide a valid authorization token as defined in the API.Authorizations configuration.";

    /// <summary>Whether any authorization is configured; when not, the middleware is left out of the pipeline.</summary>
    public bool Enabled => authorizer.Enabled;

    public async Task InvokeAsync(HttpContext http, RequestDelegate next, bool required)
    {
        if (!required || !authorizer.Enabled)
        {
            await next(http);
            return;
        }

        var path = http.Request.Path.Value ?? "";
        var outcome = authorizer.Authorize(http.Request.Headers.Authorization.ToString(), path, out var name);
        if (outcome == KuboAuthorizationOutcome.Allowed)
        {
            await next(http);
            return;
        }

        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unix socket";
        refusals.Refused("Kubo RPC", path, remote, outcome switch
        {
            KuboAuthorizationOutcome.Missing => "no Authorization header",
            KuboAuthorizationOutcome.Unknown => "credentials match no kubo_rpc.authorizations entry",
            _ => $"not in the allowed_paths of authorization \"{name}\"",
        });

        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            // The body stays unread: close the connection after the answer instead of letting Kestrel drain it.
            http.Response.Headers.Connection = "close";
        }

        if (outcome == KuboAuthorizationOutcome.PathNotAllowed)
        {
            await KuboErrorWriter.WriteAsync(http, new KuboFailure(StatusCodes.Status403Forbidden, KuboErrorCode.Normal,
                $"Kubo RPC Access Denied: {Shorten(path)} is not in the allowed_paths of this authorization"));
            return;
        }

        http.Response.Headers.Append(HeaderNames.WWWAuthenticate, "Basic realm=\"kubo rpc\"");
        http.Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer realm=\"kubo rpc\"");
        await KuboErrorWriter.WriteAsync(http, new KuboFailure(StatusCodes.Status401Unauthorized, KuboErrorCode.Normal, DeniedMessage) { Kind = KuboErrorKinds.NotAllowed });
    }

    private static string Shorten(string path) => path.Length > 200 ? path[..200] + "…" : path;
}
