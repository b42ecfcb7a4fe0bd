using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Underclusters;

/// <summary>Someone waiting on one CID's status. Called on the poller's loop: must return quickly and not throw.</summary>
internal interface IStatusObserver
{
    void OnStatus(GlobalPinInfo status);

    /// <summary>This round could not learn the CID's status.</summary>
    void OnPollFailed(GatewayFailure failure);
}
