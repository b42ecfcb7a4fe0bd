using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Underclusters;

/// <summary>The outcome of one <c>GET /peers</c> topology check: every peer, or why the list could not be read.</summary>
internal readonly record struct PeersResult(IReadOnlyList<ClusterPeer>? Peers, string? Error)
{
    public bool Succeeded => Peers is not null;
}
