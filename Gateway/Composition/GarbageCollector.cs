using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>repo/gc</c> → each undercluster's <c>POST /ipfs/gc</c> (docs/protocol/cluster-rest.md §5.14): every peer's daemon
/// collects, then the single answer lists each peer's removed keys and errors, which become the Kubo GC
/// report's lines (keys and errors, peers in ID order). The answer arrives only when every peer is done, so
/// nothing can be streamed before that; only the caller's token bounds it (the Go peer allows 24 h, docs/protocol/kubo-rpc-as-called-by-cluster.md §1.2).
/// Several underclusters collect in parallel and are reported in configuration order; one that fails becomes an
/// error line naming it (the others' collections happened). With one undercluster its failure fails the call.
/// </summary>
internal sealed class GarbageCollector(Placement placement) : IGarbageCollector
{
    public Listing<GarbageCollectedItem> CollectAsync(CancellationToken cancellationToken) => new(listing => ProduceAsync(listing, cancellationToken));

    private async IAsyncEnumerable<GarbageCollectedItem> ProduceAsync(Listing<GarbageCollectedItem> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var members = placement.Members;
        var runs = members.Select(m => m.Undercluster.Client.RepoGcAsync(local: false, cancellationToken)).ToList();
        for (var i = 0; i < members.Count; i++)
        {
            var result = await runs[i];
            if (!result.TryGetValue(out var report, out var failure))
            {
                if (members.Count == 1)
                {
                    listing.End(GatewayFailure.From(failure));
                    yield break;
                }

                yield return GarbageCollectedItem.Failed(GatewayFailure.From(failure).Message);
                continue;
            }

            foreach (var item in Items(members[i].Name, report))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<GarbageCollectedItem> Items(string undercluster, GlobalRepoGc report)
    {
        foreach (var (peerId, peer) in report.PeerMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var who = string.IsNullOrEmpty(peer.Peername) ? peerId : $"{peerId} ({peer.Peername})";
            if (!string.IsNullOrEmpty(peer.Error))
            {
                yield return GarbageCollectedItem.Failed($"undercluster \"{undercluster}\" peer {who}: {peer.Error}");
            }

            foreach (var key in peer.Keys)
            {
                if (!string.IsNullOrEmpty(key.Error))
                {
                    yield return GarbageCollectedItem.Failed($"undercluster \"{undercluster}\" peer {who}: {key.Error}");
                }
                else if (key.Key is { Length: > 0 } cid)
                {
                    yield return GarbageCollectedItem.Removed(cid);
                }
            }
        }
    }
}
