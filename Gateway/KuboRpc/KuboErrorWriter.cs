using CompositeGateway.Clusters;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// The one place a Kubo error reaches the wire (docs/development/style.md §6). Before the response has started: the status and
/// <c>{"Message","Code","Type":"error"}</c> as <c>application/json</c> (kubo-rpc-client only parses error bodies
/// with that content type). After HTTP 200 has been sent the only signal the Go peer sees is a broken stream:
/// trailers are ignored and a clean end means success (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1), so the
/// answer is cut (<see cref="IStreamCutFeature"/>): what was written reaches the peer, the chunked terminator never does.
/// </summary>
internal static class KuboErrorWriter
{
    /// <summary>The <see cref="HttpContext.Items"/> key under which the kind of the error last written is kept.</summary>
    public static readonly object ErrorKindKey = new();

    /// <summary>The kind of the error written on this request, if any (one of <c>KuboErrorKinds</c>).</summary>
    public static string? ErrorKind(HttpContext context) => context.Items.TryGetValue(ErrorKindKey, out var kind) ? kind as string : null;

    /// <summary>A gateway failure, with the status and <c>Code</c> that <see cref="KuboFailure.FromGateway"/> gives its kind.</summary>
    public static Task WriteAsync(HttpContext context, GatewayFailure failure) => WriteAsync(context, KuboFailure.FromGateway(failure));

    public static async Task WriteAsync(HttpContext context, KuboFailure failure)
    {
        // Counted once per request by KuboRpcEndpoints, with the command it resolved (gateway_kubo_errors_total).
        context.Items[ErrorKindKey] = failure.Kind;
        var response = context.Response;
        if (response.HasStarted)
        {
            await CutAsync(context);
            return;
        }

        response.StatusCode = failure.StatusCode;
        response.ContentType = "application/json";
        await response.WriteAsJsonAsync(
            new KuboErrorBody(failure.Message, (int)failure.Code),
            KuboJsonContext.Wire.KuboErrorBody,
            contentType: "application/json",
            context.RequestAborted);
    }

    /// <summary>
    /// Ends a started answer without its clean end. Values already written may still sit in Kestrel's output pipe; an
    /// abort would drop them and the peer would see a connection closed before any answer — a transport failure, which
    /// the Go peer counts towards its 1 req/s rate limit (docs/protocol/kubo-rpc-as-called-by-cluster.md §1) — so they
    /// are flushed and the stream cut, and the connection closes once they are out, however slowly the peer reads.
    /// </summary>
    public static async Task CutAsync(HttpContext context)
    {
        try
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The caller is gone already.
            context.Abort();
            return;
        }

        if (context.Features.Get<IStreamCutFeature>() is { } cut && HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            cut.Cut();
        }
        else
        {
            // Another host (the Kubo surface alone, in tests) or another protocol: an abort is the only end left.
            context.Abort();
        }
    }
}
