using System.Runtime.CompilerServices;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>repo/gc</c> → the undercluster's <c>POST /ipfs/gc</c> (cluster-rest-api.md §5.14): every peer's daemon
/// collects, then the single answer lists each peer's removed keys and errors, which become the Kubo GC
/// report's lines (keys and errors, peers in ID order). The answer arrives only when every peer is done, so
/// nothing can be streamed before that; only the caller's token bounds it (the Go peer allows 24 h, §1.2).
/// </summary>
internal sealed class GarbageCollector(Undercluster undercluster) : IGarbageCollector
{
    public async IAsyncEnumerable<GarbageCollectedItem> CollectAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var result = await undercluster.Client.RepoGcAsync(local: false, cancellationToken);
        if (!result.TryGetValue(out var report, out var failure))
        {
            throw new GatewayFailureException(Undercluster.Describe(failure));
        }

        foreach (var (peerId, peer) in report.PeerMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var who = string.IsNullOrEmpty(peer.Peername) ? peerId : $"{peerId} ({peer.Peername})";
            if (!string.IsNullOrEmpty(peer.Error))
            {
                yield return GarbageCollectedItem.Failed($"undercluster \"{undercluster.Name}\" peer {who}: {peer.Error}");
            }

            foreach (var key in peer.Keys)
            {
                if (!string.IsNullOrEmpty(key.Error))
                {
                    yield return GarbageCollectedItem.Failed($"undercluster \"{undercluster.Name}\" peer {who}: {key.Error}");
                }
                else if (key.Key is { Length: > 0 } cid)
                {
                    yield return GarbageCollectedItem.Removed(cid);
                }
            }
        }
    }
}
