using CompositeGateway.Clusters.Wire;
using CompositeGateway.Identity;

namespace CompositeGateway.Underclusters;

/// <summary>
/// The self-referencing topology ("inception"): an undercluster peer whose IPFS daemon is this
/// gateway. That peer's <c>ipfs.id</c> (what its daemon answered to <c>/api/v0/id</c>,
/// docs/protocol/cluster-rest.md §2.3) is then the gateway's own peer ID, and every pin sent through the
/// undercluster comes back to the gateway as a Kubo <c>pin/add</c>: a loop that only the pin wait
/// limit would end. See docs/design/inception.md.
/// </summary>
internal static class InceptionCheck
{
    /// <summary>
    /// The refusal message when any of <paramref name="peers"/> reports <paramref name="self"/> as its
    /// IPFS daemon, else null. Peer IDs are compared as multihashes, so any text form matches.
    /// </summary>
    public static string? Describe(string undercluster, PeerId self, IEnumerable<ClusterPeer> peers)
    {
        var offenders = peers
            .Where(peer => PeerId.TryParse(peer.Ipfs?.Id, out var ipfs) && ipfs.Equals(self))
            .DistinctBy(peer => peer.Id, StringComparer.Ordinal)
            .Select(Name)
            .ToList();
        if (offenders.Count == 0)
        {
            return null;
        }

        var (who, uses, its, whose) = offenders.Count == 1
            ? ($"peer {offenders[0]}", "uses", "its", "that peer's")
            : ($"peers {string.Join(", ", offenders)}", "use", "their", "those peers'");
        return $"inception: undercluster \"{undercluster}\" {who} {uses} this gateway ({self}) as {its} IPFS daemon; "
            + "pins through it would loop back here. "
            + $"Point {whose} ipfshttp.node_multiaddress at a real IPFS daemon.";
    }

    // Decoded JSON may hold null where the wire type says "always present" (a hand-written or broken peer).
    private static string Name(ClusterPeer peer) => peer.Peername is { Length: > 0 } ? $"{peer.Id} ({peer.Peername})" : peer.Id;
}
