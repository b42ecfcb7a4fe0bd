using CompositeGateway.KuboRpc;
using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.Forwarding;

/// <summary>
/// Lets YARP end a broken forwarded stream the way the gateway ends its own (<see cref="IStreamCutFeature"/>). When a
/// daemon's answer breaks after the caller's 200, YARP resets the stream where the protocol can (HTTP/2) and otherwise
/// aborts the connection (<c>HttpForwarder.ResetOrAbort</c>), which drops values still buffered for the caller.
/// Offered as the reset for the HTTP/1.1 caller while forwarding, the cut keeps them: YARP has awaited every write it
/// made, so all of it is past Kestrel's flush. Once the caller has gone away the reset stays an abort.
/// </summary>
internal sealed class CutOnReset(HttpContext http, IStreamCutFeature cut) : IHttpResetFeature
{
    /// <summary>Installs itself for <paramref name="http"/> when the connection can cut (HTTP/1.1 on the Kubo listener).</summary>
    public static CutOnReset? Offer(HttpContext http)
    {
        if (http.Features.Get<IHttpResetFeature>() is not null
            || !HttpProtocol.IsHttp11(http.Request.Protocol)
            || http.Features.Get<IStreamCutFeature>() is not { } cut)
        {
            return null;
        }

        var reset = new CutOnReset(http, cut);
        http.Features.Set<IHttpResetFeature>(reset);
        return reset;
    }

    public void Reset(int errorCode)
    {
        // The error code (YARP's choice between cancelled and internal error) means nothing to an HTTP/1.1 caller.
        if (http.RequestAborted.IsCancellationRequested)
        {
            http.Abort();
            return;
        }

        cut.Cut();
    }

    /// <summary>After forwarding: nothing else mistakes the connection for one that can reset a stream.</summary>
    public void Withdraw() => http.Features.Set<IHttpResetFeature>(null);
}
