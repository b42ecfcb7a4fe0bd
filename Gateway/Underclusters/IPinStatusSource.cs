using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Underclusters;

/// <summary>Batched status of pins, as one undercluster reports it (<c>GET /pins?cids=a,b,c</c>, docs/protocol/cluster-rest.md §5.8).</summary>
internal interface IPinStatusSource
{
    string Name { get; }

    /// <summary>
    /// Asks for the status of <paramref name="cids"/> in one request, handing each item to
    /// <paramref name="onItem"/> as it arrives. Null when the answer ended cleanly; else where it failed
    /// (items delivered before the failure are still valid).
    /// </summary>
    Task<GatewayFailure?> FetchStatusAsync(IReadOnlyList<string> cids, Action<GlobalPinInfo> onItem, CancellationToken cancellationToken);
}
