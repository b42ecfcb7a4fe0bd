using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// GlobalPinInfo answers (docs/protocol/cluster-rest.md §5.8–§5.10), shaped like <c>cluster.go</c> builds them: single-CID status
/// asks only allocated peers and fills <c>remote</c> for the others; the all-pins status merges
/// every peer's tracker listing and adds <c>cluster_error</c> placeholders for peers that failed.
/// </summary>
internal static class LabStatus
{
    /// <summary><c>GET /pins/{cid}</c> (cluster-wide, or the contacted peer only).</summary>
    public static GlobalPinInfo ForCid(LabCluster cluster, string cid, bool local) => ForCid(cluster, cid, local, new EntryCache());

    /// <summary><c>GET /pins?cids=…</c>: <see cref="ForCid(LabCluster, string, bool)"/> for each, in order, sharing peer entries.</summary>
    public static IEnumerable<GlobalPinInfo> ForCids(LabCluster cluster, IEnumerable<string> cids, bool local)
    {
        var entries = new EntryCache();
        foreach (var cid in cids)
        {
            yield return ForCid(cluster, cid, local, entries);
        }
    }

    private static GlobalPinInfo ForCid(LabCluster cluster, string cid, bool local, EntryCache entries)
    {
        var now = cluster.NowTicks;
        var found = cluster.Store.TryGet(cid, now, out var pin);
        if (local)
        {
            var peer = cluster.Contacted;
            if (found)
            {
                var status = PeerStatusMachine.Of(cluster, cid, pin, peer, now, remoteTicks: PeerStatusMachine.WholeSeconds(pin.TimestampTicks));
                return PinViews.Global(cid, pin, new() { [peer.Id] = PinViews.Entry(peer, status) });
            }

            var own = cluster.Store.TryGetUnpin(cid, now, out var unpin) && unpin.Involves(peer.Index)
                ? PeerStatusMachine.OfUnpin(unpin, now)
                : new PeerPinStatus(TrackerStatus.Unpinned, now, "", 0, false);
            return new GlobalPinInfo { Cid = cid, PeerMap = new Dictionary<string, PinInfoShort> { [peer.Id] = PinViews.Entry(peer, own) } };
        }

        var peerMap = new Dictionary<string, PinInfoShort>(cluster.Peers.Count, StringComparer.Ordinal);
        if (!found)
        {
            // Not in the pinset: every member is reported unpinned without being asked (globalPinInfoCid).
            foreach (var peer in cluster.PeersById)
            {
                peerMap[peer.Id] = PinViews.Entry(peer, new PeerPinStatus(TrackerStatus.Unpinned, now, "", 0, false));
            }

            return new GlobalPinInfo { Cid = cid, Allocations = [], Created = PinViews.Time(now), PeerMap = peerMap };
        }

        foreach (var peer in cluster.PeersById)
        {
            peerMap[peer.Id] = entries.Get(peer, PeerStatusMachine.Of(cluster, cid, pin, peer, now, remoteTicks: now));
        }

        return PinViews.Global(cid, pin, peerMap);
    }

    /// <summary><c>GET /pins</c>: every pin with the peers whose status matches <paramref name="filter"/> (0 = all).</summary>
    public static IEnumerable<GlobalPinInfo> All(LabCluster cluster, int filter, bool local)
    {
        var now = cluster.NowTicks;
        IReadOnlyList<LabPeer> peers = local ? [cluster.Contacted] : cluster.PeersById;
        var entries = new EntryCache();
        foreach (var (cid, pin) in cluster.Store.Enumerate(now))
        {
            if (Item(cluster, cid, pin, peers, filter, now, local, entries) is { } item)
            {
                yield return item;
            }
        }
    }

    /// <summary><c>POST /pins/recover</c>: re-queues failed pins and lists them.</summary>
    public static IEnumerable<GlobalPinInfo> RecoverAll(LabCluster cluster, bool local)
    {
        foreach (var (cid, _) in cluster.Store.Enumerate(cluster.NowTicks))
        {
            if (LabPinning.Recover(cluster, cid, local))
            {
                yield return ForCid(cluster, cid, local);
            }
        }
    }

    private static GlobalPinInfo? Item(LabCluster cluster, string cid, in StoredPin pin, IReadOnlyList<LabPeer> peers, int filter, long now, bool local, EntryCache entries)
    {
        Dictionary<string, PinInfoShort>? peerMap = null;
        var anyDown = false;
        foreach (var peer in peers)
        {
            if (!local && cluster.IsDown(peer))
            {
                anyDown = true;
                continue;
            }

            // The peer's own tracker lists the pin: remote entries carry the pin's state timestamp.
            var status = PeerStatusMachine.Of(cluster, cid, pin, peer, now, remoteTicks: PeerStatusMachine.WholeSeconds(pin.TimestampTicks));
            if (StatusFilter.Matches(filter, status.Status))
            {
                peerMap ??= new Dictionary<string, PinInfoShort>(peers.Count, StringComparer.Ordinal);
                peerMap[peer.Id] = entries.Get(peer, status);
            }
        }

        if (peerMap is null)
        {
            return null;
        }

        if (anyDown)
        {
            // Peers whose listing failed get a cluster_error entry for every CID seen (globalPinInfoStream).
            // Rebuilt in peer-ID order so the map prints sorted, as Go's does.
            var sorted = new Dictionary<string, PinInfoShort>(peers.Count, StringComparer.Ordinal);
            foreach (var peer in peers)
            {
                if (peerMap.TryGetValue(peer.Id, out var entry))
                {
                    sorted[peer.Id] = entry;
                }
                else if (cluster.IsDown(peer))
                {
                    sorted[peer.Id] = PinViews.Entry(peer, new PeerPinStatus(TrackerStatus.ClusterError, now, LabCluster.PeerDownError, 0, false));
                }
            }

            peerMap = sorted;
        }

        return PinViews.Global(cid, pin, peerMap);
    }

    /// <summary>
    /// Immutable peer entries shared between items of one listing: pins pinned in the same second
    /// on the same peer have identical entries, so a million-pin stream allocates a few thousand.
    /// </summary>
    private sealed class EntryCache
    {
        private readonly Dictionary<(int Peer, PeerPinStatus Status), PinInfoShort> _entries = [];

        public PinInfoShort Get(LabPeer peer, in PeerPinStatus status)
        {
            if (!_entries.TryGetValue((peer.Index, status), out var entry))
            {
                if (_entries.Count >= 4096)
                {
                    _entries.Clear();
                }

                entry = PinViews.Entry(peer, status);
                _entries[(peer.Index, status)] = entry;
            }

            return entry;
        }
    }
}
