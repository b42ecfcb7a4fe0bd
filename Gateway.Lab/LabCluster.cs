using CompositeGateway.Lab.Wire;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>
/// The simulated cluster behind one emulated REST API: its peers, shared pinset and faults, without
/// any HTTP. Peer 0 is the peer the REST API is "contacted" on (<c>/id</c>, <c>local=true</c>).
/// </summary>
internal sealed class LabCluster
{
    public const string PeerDownError = "lab: peer is down (context deadline exceeded)";

    public LabCluster(EmulatedClusterOptions options, TimeProvider time)
    {
        Options = options;
        Time = time;
        var random = options.RandomSeed is { } seed ? new Random(seed) : new Random();
        Peers = [.. Enumerable.Range(0, options.Peers).Select(i =>
            new LabPeer(i, options.Name, LabPeerIds.Create(random), LabPeerIds.Create(random), options.Capacity))];
        PeersById = [.. Peers.OrderBy(p => p.Id, StringComparer.Ordinal)];
        Store = new LabPinStore(Peers);
        Faults = new LabFaultSwitch(options.Faults);
    }

    public EmulatedClusterOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>By index.</summary>
    public IReadOnlyList<LabPeer> Peers { get; }

    /// <summary>Sorted by peer ID: the order Go prints maps and metric lists in.</summary>
    public IReadOnlyList<LabPeer> PeersById { get; }

    public LabPinStore Store { get; }

    public LabFaultSwitch Faults { get; }

    /// <summary>The peer whose REST API this is.</summary>
    public LabPeer Contacted => Peers[0];

    public long NowTicks => Time.GetUtcNow().UtcTicks;

    /// <summary>Blocks of content added through <c>/add</c>.</summary>
    public LabBlockStore Blocks { get; } = new();

    /// <summary>Sizes of content the cluster holds blocks for (added through <c>/add</c>), by root CID.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> ContentSizes { get; } = new(StringComparer.Ordinal);

    /// <summary>What a pin of <paramref name="cid"/> costs each peer holding it.</summary>
    public long ContentSizeOf(string cid) => ContentSizes.TryGetValue(cid, out var size) ? size : Options.NominalPinSize;

    private long _nextSeedIndex;

    /// <summary>Set once any pin was given a delay: until then no pin can be queued, and <c>pinqueue</c> needs no scan.</summary>
    public bool HasDelayedPins { get; set; }

    /// <summary>Seeding continues where the previous seeding stopped, so repeated seeds add new CIDs.</summary>
    public long ReserveSeedIndexes(int count) => Interlocked.Add(ref _nextSeedIndex, count) - count;

    public bool IsDown(LabPeer peer) => Faults.IsPeerDown(peer.Index);

    /// <summary>A peer the allocator can use: up, and publishing a freespace metric (free space left).</summary>
    public bool HasMetrics(LabPeer peer) => !IsDown(peer) && peer.FreeBytes > 0;

    /// <summary>
    /// Drops blocks no pinned root reaches (roots are what <c>/add</c> imported) and returns their CIDs
    /// (<c>POST /ipfs/gc</c>).
    /// </summary>
    public IReadOnlyList<string> CollectGarbage()
    {
        var now = NowTicks;
        var pinnedRoots = new List<Cid>();
        foreach (var root in ContentSizes.Keys)
        {
            if (Store.TryGet(root, now, out _))
            {
                pinnedRoots.Add(Cid.Parse(root));
            }
            else
            {
                ContentSizes.TryRemove(root, out _);
            }
        }

        return [.. Blocks.CollectGarbage(pinnedRoots).Select(c => c.ToString())];
    }

    /// <summary>Expired pins leave the pinset before anything reads it.</summary>
    public void Sweep() => Store.SweepExpired(NowTicks);

    /// <summary>Per-peer status of one pin right now (for assertions in tests).</summary>
    public string StatusOf(string cid, int peerIndex)
    {
        var now = NowTicks;
        var peer = Peers[peerIndex];
        if (Store.TryGet(cid, now, out var pin))
        {
            return PeerStatusMachine.Of(this, pin, peer, now, remoteTicks: now).Status;
        }

        return Store.TryGetUnpin(cid, now, out var unpin) && unpin.Involves(peerIndex)
            ? PeerStatusMachine.OfUnpin(unpin, now).Status
            : TrackerStatus.Unpinned;
    }
}
