using CompositeGateway.Composition;
using CompositeGateway.Content;
using CompositeGateway.Ipld;
using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// What the upload commands share on the Kubo side: an unlimited body (all of them), and for the block commands
/// (<c>block/put</c>, <c>dag/put</c>) Kubo's common options, the multipart opening and the pins afterwards.
/// </summary>
internal static class UploadRequests
{
    /// <summary>
    /// Lifts Kestrel's request body limit (30 MB by default) for this request only: an overcluster add sends a
    /// whole DAG in one <c>block/put</c> stream (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12), which is
    /// read part by part in bounded memory anyway.
    /// </summary>
    public static void AllowUnlimitedBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    /// <summary>A command that takes blocks in a multipart body: its own options plus Kubo's <c>pin</c> and <c>allow-big-block</c>.</summary>
    public static KuboCommand BlockCommand(string path, KuboOption[] options, KuboHandler handler) =>
        new(path, [], [.. options, new KuboOption("pin", KuboOptionKind.Bool), new KuboOption("allow-big-block", KuboOptionKind.Bool)], handler);

    /// <summary>
    /// The body's parts, read one at a time with the size limit lifted; null once Kubo's
    /// <c>argument "…" is required</c> was answered because the body is not multipart.
    /// </summary>
    public static async Task<MultipartParts?> OpenPartsAsync(KuboCall call, string argument)
    {
        AllowUnlimitedBody(call.Http);
        if (MultipartParts.Open(call.Http.Request) is { } parts)
        {
            return parts;
        }

        await call.FailAsync(ArgumentRequired(argument));
        return null;
    }

    /// <summary>Kubo's answer to a command whose file argument is missing (go-ipfs-cmds).</summary>
    public static KuboFailure ArgumentRequired(string argument) => KuboFailure.Client($"argument \"{argument}\" is required");

    /// <summary>Pins every CID through the pin path and waits until all are pinned (<see cref="ContentPins"/>); the failure to answer, or null.</summary>
    public static async Task<KuboFailure?> PinAllAsync(KuboCall call, IReadOnlyList<Cid> cids) =>
        await ContentPins.PinAllAsync(call.Service<IPinService>(), cids, call.Aborted) is { } failure ? KuboFailure.FromGateway(failure) : null;
}
