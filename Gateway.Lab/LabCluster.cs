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
        Blocks = new LabBlockStore(options.KeepBlockBytes);
        Tokens = new LabTokens(options.TokenLifetime);
        AllPeersMask = options.Peers >= 64 ? ulong.MaxValue : (1UL << options.Peers) - 1;
    }

    public EmulatedClusterOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>JWTs issued on <c>POST /token</c> (docs/protocol/cluster-rest.md §1.1).</summary>
    public LabTokens Tokens { get; }

    /// <summary>By index.</summary>
    public IReadOnlyList<LabPeer> Peers { get; }

    /// <summary>Sorted by peer ID: the order Go prints maps and metric lists in.</summary>
    public IReadOnlyList<LabPeer> PeersById { get; }

    public LabPinStore Store { get; }

    public LabFaultSwitch Faults { get; }

    /// <summary>The peer whose REST API this is.</summary>
    public LabPeer Contacted => Peers[0];

    public long NowTicks => Time.GetUtcNow().UtcTicks;

    /// <summary>Blocks the peers' daemons hold: content added through <c>/add</c>, per peer.</summary>
    public LabBlockStore Blocks { get; }

    /// <summary>Bit i set for every peer i.</summary>
    public ulong AllPeersMask { get; }

    /// <summary>Pins (root CID) whose DAG is not complete yet; with <see cref="EmulatedClusterOptions.RequireBlocks"/> they stay <c>pinning</c>.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Cid> _awaitingBlocks = new(StringComparer.Ordinal);

    public bool IsAwaitingBlocks(string cid) => !_awaitingBlocks.IsEmpty && _awaitingBlocks.ContainsKey(cid);

    /// <summary>The peers whose daemons pin <paramref name="pin"/>.</summary>
    public ulong PeersOf(in StoredPin pin) => pin.IsEverywhere ? AllPeersMask : pin.Allocations.Mask;

    /// <summary>Up peers of <paramref name="mask"/>: a down daemon takes no blocks.</summary>
    public ulong UpPeers(ulong mask)
    {
        foreach (var peer in Peers)
        {
            if (IsDown(peer))
            {
                mask &= ~(1UL << peer.Index);
            }
        }

        return mask;
    }

    /// <summary>
    /// A pin was put in the pinset: its peers' daemons fetch whatever of the DAG the cluster holds.
    /// Returns true when the DAG is incomplete (the pin waits for blocks; see <see cref="BlocksArrived"/>).
    /// </summary>
    public bool Fetch(string cid, in StoredPin pin)
    {
        if (!Cid.TryParse(cid, out var root))
        {
            return false;
        }

        var complete = Blocks.AddHolders(root, PeersOf(pin));
        if (complete)
        {
            _awaitingBlocks.TryRemove(cid, out _);
        }
        else if (Options.RequireBlocks)
        {
            _awaitingBlocks[cid] = root;
        }

        return !complete;
    }

    /// <summary>An import finished: pins waiting for blocks fetch them and may now be complete.</summary>
    public void BlocksArrived()
    {
        foreach (var (cid, root) in _awaitingBlocks)
        {
            var now = NowTicks;
            if (!Store.TryGet(cid, now, out var pin))
            {
                _awaitingBlocks.TryRemove(cid, out _);
                continue;
            }

            if (Blocks.AddHolders(root, PeersOf(pin)))
            {
                _awaitingBlocks.TryRemove(cid, out _);
                lock (Store.WriteLock)
                {
                    if (Store.TryGet(cid, now, out var current) && current.AwaitingBlocks)
                    {
                        Store.Put(cid, current with { AwaitingBlocks = false });
                    }
                }
            }
        }
    }

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

    /// <summary>
    /// Per peer index, the tracker driving that peer's real IPFS daemon (null entries: simulated daemon);
    /// null when no peer has one. Set once at start (<see cref="EmulatedCluster"/>).
    /// </summary>
    public IReadOnlyList<Connector.LabPeerTracker?>? Trackers { get; set; }

    /// <summary>A pin was put in the shared state: the trackers of real daemons act on it (Track).</summary>
    public void Tracked(string cid, in StoredPin pin)
    {
        foreach (var tracker in Trackers ?? [])
        {
            tracker?.Track(cid, pin);
        }
    }

    /// <summary>A pin left the shared state: every peer's tracker queues an unpin on its daemon (Untrack).</summary>
    public void Untracked(string cid)
    {
        foreach (var tracker in Trackers ?? [])
        {
            tracker?.Untrack(cid);
        }
    }

    /// <summary>A peer the allocator can use: up, and publishing a freespace metric (free space left).</summary>
    public bool HasMetrics(LabPeer peer) => !IsDown(peer) && peer.FreeBytes > 0;

    /// <summary>
    /// Each peer drops the blocks no root pinned on it reaches (<c>POST /ipfs/gc</c> runs on every
    /// daemon); returns the removed CIDs per peer index.
    /// </summary>
    public IReadOnlyList<string>[] CollectGarbage()
    {
        var now = NowTicks;
        var pinnedRoots = new List<(Cid, ulong)>();
        foreach (var (cid, _) in Blocks.Enumerate())
        {
            if (Store.TryGet(cid.ToString(), now, out var pin))
            {
                pinnedRoots.Add((cid, PeersOf(pin)));
            }
        }

        var removed = Blocks.CollectGarbage(pinnedRoots, Peers.Count);
        foreach (var root in ContentSizes.Keys)
        {
            if (!Store.TryGet(root, now, out _) && Cid.TryParse(root, out var cid) && !Blocks.Contains(cid))
            {
                ContentSizes.TryRemove(root, out _);
            }
        }

        return [.. removed.Select(list => (IReadOnlyList<string>)[.. list.Select(c => c.ToString())])];
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
            return PeerStatusMachine.Of(this, cid, pin, peer, now, remoteTicks: now).Status;
        }

        return Store.TryGetUnpin(cid, now, out var unpin) && unpin.Involves(peerIndex)
            ? PeerStatusMachine.OfUnpin(unpin, now).Status
            : TrackerStatus.Unpinned;
    }
}
