using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.KuboRpc;

/// <summary>What <c>block/put</c> and <c>dag/put</c> share on the Kubo side: an unlimited body, and truthful pins afterwards.</summary>
internal static class UploadRequests
{
    /// <summary>
    /// Lifts Kestrel's request body limit (30 MB by default) for this request only: an overcluster add sends a
    /// whole DAG in one <c>block/put</c> stream (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12), which is read part by part in bounded memory anyway.
    /// </summary>
    public static void AllowUnlimitedBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    /// <summary>
    /// Pins every CID recursively through the pin path (ownership, placement, the <c>pinned_when</c> rule) and
    /// waits until all are pinned; returns the first failure, or null.
    /// </summary>
    public static async Task<GatewayFailure?> PinAllAsync(IPinService pins, IReadOnlyList<string> cids, CancellationToken cancellationToken)
    {
        var waits = new List<IPinWait>(cids.Count);
        foreach (var cid in cids.Distinct(StringComparer.Ordinal))
        {
            var started = await pins.StartPinAsync(new PinIntent(cid, PinMode.Recursive), cancellationToken);
            if (started.Failure is { } refused)
            {
                return refused;
            }

            waits.Add(started.Wait!);
        }

        foreach (var wait in waits)
        {
            if (await wait.Completion.WaitAsync(cancellationToken) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }
}
