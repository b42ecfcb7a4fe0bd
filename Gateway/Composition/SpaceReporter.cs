using System.Globalization;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>repo/stat</c>: <c>StorageMax − RepoSize</c> is the largest new pin the undercluster can really take
/// (docs/design/repo-stat.md has the formula and a worked example). From the per-peer <c>freespace</c>
/// metrics (docs/protocol/cluster-rest.md §5.15) and the replication a new pin gets: a pin on k peers must fit on each
/// of them, so the largest that fits is the k-th largest free space (replicate-everywhere: the smallest over
/// every peer, and none at all if a peer publishes no metric). k is what the <c>pinned_when</c> rule needs.
/// RepoSize is 0: the REST API exposes no repo size (§5.15), and with 0 the overcluster's <c>freespace</c>
/// informer reports exactly StorageMax.
/// </summary>
internal sealed class SpaceReporter(Undercluster undercluster, PinPathOptions options) : ISpaceReporter
{
    /// <summary>The Go disk informer casts the free space to int64 (docs/protocol/kubo-rpc-as-called-by-cluster.md §6).</summary>
    public const ulong MaxReported = long.MaxValue;

    public async Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken)
    {
        var metrics = await undercluster.Client.GetMetricsAsync("freespace", cancellationToken);
        if (!metrics.TryGetValue(out var list, out var failure))
        {
            return SpaceReportResult.Failed(GatewayFailure.From(failure));
        }

        var free = FreeByPeer(list);
        var (min, max) = NewPinReplication();
        ulong offered;
        if (min == -1)
        {
            var peers = await undercluster.GetPeersAsync(cancellationToken);
            if (!peers.TryGetValue(out var peerList, out failure))
            {
                return SpaceReportResult.Failed(GatewayFailure.From(failure));
            }

            offered = Everywhere(options.PinnedWhen, [.. peerList.Select(p => p.Id)], free);
        }
        else
        {
            offered = Finite(options.PinnedWhen, min, max, [.. free.Values]);
        }

        return SpaceReportResult.Reported(0, Math.Min(offered, MaxReported));
    }

    /// <summary>Replication of a pin the gateway would create now: configured, else the undercluster default seen on a created pin, else ipfs-cluster's default −1/−1.</summary>
    internal (int Min, int Max) NewPinReplication() =>
        options.ReplicationMin != 0 ? (options.ReplicationMin, options.ReplicationMax)
        : undercluster.LearnedDefaultReplication ?? (-1, -1);

    /// <summary>Free bytes per peer from valid metrics; unparsable or zero values count as no metric (the Go informer publishes none then).</summary>
    internal static Dictionary<string, ulong> FreeByPeer(IEnumerable<ClusterMetric> metrics)
    {
        var free = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (metric.Valid && ulong.TryParse(metric.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0)
            {
                free[metric.Peer] = bytes;
            }
        }

        return free;
    }

    /// <summary>
    /// A pin with replication min..max: the allocator needs at least <paramref name="min"/> peers with metrics and
    /// takes up to <paramref name="max"/>; the rule decides how many of them must hold it.
    /// </summary>
    internal static ulong Finite(PinnedWhen rule, int min, int max, IReadOnlyList<ulong> free)
    {
        if (free.Count < Math.Max(1, min))
        {
            return 0;
        }

        var k = rule.Kind switch
        {
            PinnedWhenKind.Min => Math.Max(1, min),
            PinnedWhenKind.AllAllocated => Math.Min(Math.Max(1, max), free.Count),
            _ => rule.Peers,
        };
        return KthLargest(free, k);
    }

    /// <summary>Replicate-everywhere: every peer pins it, so the rule's peers (all, or n) must all have room.</summary>
    internal static ulong Everywhere(PinnedWhen rule, IReadOnlyList<string> peers, IReadOnlyDictionary<string, ulong> free)
    {
        if (peers.Count == 0)
        {
            return 0;
        }

        if (rule.Kind == PinnedWhenKind.Count)
        {
            return KthLargest([.. peers.Select(p => free.GetValueOrDefault(p))], Math.Min(rule.Peers, peers.Count));
        }

        return peers.Min(p => free.GetValueOrDefault(p));
    }

    private static ulong KthLargest(IReadOnlyList<ulong> values, int k)
    {
        if (k < 1 || k > values.Count)
        {
            return 0;
        }

        var sorted = values.OrderByDescending(v => v).ToList();
        return sorted[k - 1];
    }
}
