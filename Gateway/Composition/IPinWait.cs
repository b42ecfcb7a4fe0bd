using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>A pin being waited on. The surface emits strictly increasing Kubo <c>Progress</c> while it runs.</summary>
internal interface IPinWait
{
    /// <summary>Completes with null when pinned by the rule, or with the failure (pin_error, wait limit, undercluster lost).</summary>
    Task<GatewayFailure?> Completion { get; }

    /// <summary>Peers that report the pin pinned so far (informational; the surface's Progress must still rise every tick).</summary>
    int PinnedPeers { get; }
}
