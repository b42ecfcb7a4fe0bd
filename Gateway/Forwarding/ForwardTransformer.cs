using CompositeGateway.KuboRpc;
using CompositeGateway.Telemetry;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace CompositeGateway.Forwarding;

/// <summary>
/// What changes between the caller's request and the one the daemon sees, and back.
/// <para>Towards the daemon: the caller's <c>Origin</c>, <c>Referer</c>, cookies and credentials stay here (the
/// <see cref="BrowserPolicy"/> judged them already; a daemon with its own CORS rules would refuse the browser's origin),
/// and the gateway introduces itself as the client in <c>User-Agent</c> (a browser's agent without Origin is what
/// Kubo refuses as CSRF).</para>
/// <para>Back: Kubo reports a failure in the middle of a stream only in the HTTP/1.1 trailer <c>X-Stream-Error</c>
/// (go-ipfs-cmds <c>http/responseemitter.go</c>), which YARP drops when the caller's connection cannot carry
/// trailers — and Kestrel sends trailers only over HTTP/2 and later. Where the caller can take trailers they are
/// copied; where not, a stream error ends the answer without its clean end (the stream is cut), the same
/// signal the gateway gives for its own failed streams (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1).</para>
/// <para>The base is YARP's <see cref="HttpTransformer.Empty"/> (headers copied, nothing added), not <c>Default</c>, which
/// would add <c>X-Forwarded-For/Proto/Host/Prefix</c>: Kubo reads none of them, and they cost a few header writes per request.</para>
/// </summary>
internal sealed class ForwardTransformer(string command, string undercluster, ILogger logger) : HttpTransformer
{
    /// <summary>go-ipfs-cmds <c>StreamErrHeader</c>.</summary>
    public const string StreamErrorTrailer = "X-Stream-Error";

    private static readonly string UserAgent = "composite-gateway/" + ProductInfo.Version;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await Empty.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        headers.Remove(HeaderNames.Origin);
        headers.Remove(HeaderNames.Referer);
        headers.Remove(HeaderNames.Cookie);
        headers.Remove(HeaderNames.Authorization);
        headers.Remove(HeaderNames.UserAgent);
        headers.TryAddWithoutValidation(HeaderNames.UserAgent, UserAgent);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await Empty.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!httpContext.Response.SupportsTrailers())
        {
            // Announcing a trailer that cannot come would only mislead the caller.
            httpContext.Response.Headers.Remove(HeaderNames.Trailer);
        }

        return copy;
    }

    public override async ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        await Empty.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
        if (!proxyResponse.TrailingHeaders.TryGetValues(StreamErrorTrailer, out var values)
            || values.FirstOrDefault(v => v.Length > 0) is not { } error)
        {
            return;
        }

        ForwardingLog.StreamError(logger, command, undercluster, error);
        if (!httpContext.Response.SupportsTrailers())
        {
            // The body is complete as far as bytes go; cutting now keeps the chunked terminator from saying "done".
            await KuboErrorWriter.WriteAsync(httpContext, KuboFailure.Normal(error) with { Kind = KuboErrorKinds.UnderclusterError });
        }
    }
}
