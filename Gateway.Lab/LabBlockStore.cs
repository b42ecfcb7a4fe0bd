using System.Collections.Concurrent;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>
/// One block held by the cluster's emulated IPFS daemons: its size, links (kept even when the bytes
/// are not, so DAG walks work in benchmarks) and which peers hold it (bit i = peer index i).
/// </summary>
internal sealed class LabBlock(int size, byte[]? bytes, IpldLink[] links, ulong peers)
{
    private ulong _peers = peers;

    public int Size => size;

    /// <summary>Null when the cluster runs with <see cref="EmulatedClusterOptions.KeepBlockBytes"/> off.</summary>
    public byte[]? Bytes => bytes;

    public IpldLink[] Links => links;

    /// <summary>Bit i set: peer i's daemon holds the block.</summary>
    public ulong Peers => Volatile.Read(ref _peers);

    /// <summary>Changed only under the store's lock.</summary>
    internal void SetPeers(ulong mask) => Volatile.Write(ref _peers, mask);
}

/// <summary>
/// Blocks the emulated cluster's IPFS daemons hold, and on which peer. A real cluster's adder
/// streams a DAG's blocks with <c>block/put</c> to the allocated peers' daemons (docs/protocol/cluster-rest.md §5.13; ipfs-cluster
/// <c>adder/single</c>: all destinations, or only the contacted peer with <c>local=true</c>); a
/// daemon that pins a CID fetches the rest of its DAG (<see cref="AddHolders"/>). <c>POST /ipfs/gc</c>
/// removes from each peer what no pin allocated to it reaches.
/// </summary>
internal sealed class LabBlockStore(bool keepBytes = true)
{
    private readonly ConcurrentDictionary<Cid, LabBlock> _blocks = new();
    private readonly Lock _gate = new();
    private long _bytes;

    public bool KeepBytes => keepBytes;

    public int Count => _blocks.Count;

    /// <summary>Bytes of distinct blocks (each counted once, however many peers hold it).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>A sink that puts blocks on the peers of <paramref name="peers"/> (checked per block by <paramref name="reachable"/>).</summary>
    public IBlockSink For(ulong peers, Func<ulong, ulong>? reachable = null) => new PeerSink(this, peers, reachable ?? (m => m));

    /// <summary>Adds the block (decoding its links; throws <see cref="IpldFormatException"/> when it does not decode) on <paramref name="peers"/>.</summary>
    public void Put(Cid cid, ReadOnlySpan<byte> block, ulong peers)
    {
        if (_blocks.TryGetValue(cid, out var existing))
        {
            lock (_gate)
            {
                if (_blocks.ContainsKey(cid))
                {
                    existing.SetPeers(existing.Peers | peers);
                    return;
                }
            }
        }

        var entry = new LabBlock(block.Length, keepBytes ? block.ToArray() : null, IpldLinks.Of(cid, block), peers);
        lock (_gate)
        {
            if (_blocks.TryGetValue(cid, out var raced))
            {
                raced.SetPeers(raced.Peers | peers);
            }
            else
            {
                _blocks[cid] = entry;
                _bytes += block.Length;
            }
        }
    }

    public bool TryGet(Cid cid, out LabBlock block) => _blocks.TryGetValue(cid, out block!);

    public bool Contains(Cid cid) => _blocks.ContainsKey(cid);

    /// <summary>Every block, in no particular order (a live view).</summary>
    public IEnumerable<KeyValuePair<Cid, LabBlock>> Enumerate() => _blocks;

    /// <summary>
    /// The DAG under <paramref name="root"/> that is present: what the walk reached, and up to
    /// <paramref name="limit"/> blocks it needed but no peer holds.
    /// </summary>
    public (List<Cid> Present, List<Cid> Missing) Walk(Cid root, int limit = int.MaxValue)
    {
        var present = new List<Cid>();
        var missing = new List<Cid>();
        var seen = new HashSet<Cid>();
        var pending = new Stack<Cid>();
        pending.Push(root);
        while (pending.TryPop(out var cid))
        {
            if (!seen.Add(cid))
            {
                continue;
            }

            // Identity CIDs carry their block inline: never missing.
            if (cid.Multihash.Code == Multicodec.Identity)
            {
                continue;
            }

            if (!_blocks.TryGetValue(cid, out var block))
            {
                if (missing.Count < limit)
                {
                    missing.Add(cid);
                }

                continue;
            }

            present.Add(cid);
            foreach (var link in block.Links)
            {
                pending.Push(link.Cid);
            }
        }

        return (present, missing);
    }

    /// <summary>The peers of <paramref name="peers"/> fetch every present block of <paramref name="root"/>'s DAG (a daemon pinning it); returns whether the DAG is complete.</summary>
    public bool AddHolders(Cid root, ulong peers)
    {
        var (present, missing) = Walk(root, limit: 1);
        lock (_gate)
        {
            foreach (var cid in present)
            {
                if (_blocks.TryGetValue(cid, out var block))
                {
                    block.SetPeers(block.Peers | peers);
                }
            }
        }

        return missing.Count == 0;
    }

    /// <summary>
    /// Per-peer garbage collection: peer i keeps what a root pinned on it reaches. Returns, per peer
    /// index, the CIDs removed from that peer; a block no peer holds any more leaves the store.
    /// </summary>
    public List<Cid>[] CollectGarbage(IEnumerable<(Cid Root, ulong Peers)> pinned, int peerCount)
    {
        var keep = new Dictionary<Cid, ulong>();
        foreach (var (root, peers) in pinned)
        {
            foreach (var cid in Walk(root).Present)
            {
                keep[cid] = keep.GetValueOrDefault(cid) | peers;
            }
        }

        var removed = Enumerable.Range(0, peerCount).Select(_ => new List<Cid>()).ToArray();
        lock (_gate)
        {
            foreach (var (cid, block) in _blocks)
            {
                var before = block.Peers;
                var after = before & keep.GetValueOrDefault(cid);
                if (after == before)
                {
                    continue;
                }

                for (var i = 0; i < peerCount; i++)
                {
                    if (((before & ~after) >> i & 1) != 0)
                    {
                        removed[i].Add(cid);
                    }
                }

                if (after == 0)
                {
                    _blocks.TryRemove(cid, out _);
                    _bytes -= block.Size;
                }
                else
                {
                    block.SetPeers(after);
                }
            }
        }

        return removed;
    }

    /// <summary>Follows named dag-pb links from <paramref name="root"/>; the error text is what a daemon would say.</summary>
    public (Cid? Cid, string? Error) Resolve(Cid root, IReadOnlyList<string> names)
    {
        var current = root;
        foreach (var name in names)
        {
            if (current.Codec != Multicodec.DagPb || !_blocks.TryGetValue(current, out var block))
            {
                return (null, $"no link named \"{name}\" under {current}");
            }

            var link = Array.Find(block.Links, l => l.Name == name);
            if (link.Cid is null)
            {
                return (null, $"no link named \"{name}\" under {current}");
            }

            current = link.Cid;
        }

        return (current, null);
    }

    private sealed class PeerSink(LabBlockStore store, ulong peers, Func<ulong, ulong> reachable) : IBlockSink
    {
        public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            var to = reachable(peers);
            if (to == 0)
            {
                // adder.BlockStreamer: every destination failed.
                throw new LabAddException("failed to put block on all destinations");
            }

            store.Put(cid, block.Span, to);
            return ValueTask.CompletedTask;
        }
    }
}
