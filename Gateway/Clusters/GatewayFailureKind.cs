namespace CompositeGateway.Clusters;

/// <summary>What kind of failure a <see cref="GatewayFailure"/> is.</summary>
internal enum GatewayFailureKind
{
    /// <summary>The composition layer could not do it (placement, a pin error, a wait limit, writers that keep racing).</summary>
    Failed,

    /// <summary>An undercluster call failed (connect, timeout, HTTP status, bad body, broken stream, circuit open).</summary>
    Undercluster,

    /// <summary>Calls are refused whatever the underclusters say: an undercluster loops back to this gateway (inception).</summary>
    Refused,

    /// <summary>The CID the operation needs is not pinned by this gateway (Kubo's own texts, e.g. <c>pin/update</c>'s 'from').</summary>
    NotPinned,
}
