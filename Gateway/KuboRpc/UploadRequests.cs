using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.KuboRpc;

/// <summary>What <c>add</c>, <c>block/put</c> and <c>dag/put</c> share on the Kubo side: an unlimited body.</summary>
internal static class UploadRequests
{
    /// <summary>
    /// Lifts Kestrel's request body limit (30 MB by default) for this request only: an overcluster add sends a
    /// whole DAG in one <c>block/put</c> stream (§4.12), which is read part by part in bounded memory anyway.
    /// </summary>
    public static void AllowUnlimitedBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }
}
