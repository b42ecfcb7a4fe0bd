using CompositeGateway.Clusters;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// The one place a Kubo error reaches the wire (docs/development/style.md §6). Before the response has started: the status and
/// <c>{"Message","Code","Type":"error"}</c> as <c>application/json</c> (kubo-rpc-client only parses error bodies
/// with that content type). After HTTP 200 has been sent the only signal the Go peer sees is a broken stream:
/// trailers are ignored and a clean end means success (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1), so the
/// connection is aborted without the chunked terminator.
/// </summary>
internal static class KuboErrorWriter
{
    private static readonly TimeSpan AbortGrace = TimeSpan.FromMilliseconds(100);

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
            // Values already flushed may still sit in Kestrel's output pipe; aborting at once would drop them and
            // the peer would see a connection closed before any answer — a transport failure, which the Go peer
            // counts towards its 1 req/s rate limit (docs/protocol/kubo-rpc-as-called-by-cluster.md §1). A short grace lets them reach the socket first, so the
            // peer sees what it should: a truncated stream ("unexpected EOF").
            try
            {
                await response.BodyWriter.FlushAsync(context.RequestAborted);
                var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
                await Task.Delay(AbortGrace, time, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The caller is gone already.
            }

            context.Abort();
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
}
