using System.Collections.Concurrent;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>
/// Blocks the emulated cluster's IPFS daemons hold: what <c>/add</c> imported (the real cluster
/// sends them to the allocated peers with <c>block/put</c>, docs/protocol/cluster-rest-api.md §5.13). One store per cluster stands for
/// all its daemons. <c>POST /ipfs/gc</c> removes blocks no pinned root reaches.
/// </summary>
internal sealed class LabBlockStore : IBlockSink
{
    private readonly ConcurrentDictionary<Cid, byte[]> _blocks = new();
    private long _bytes;

    public int Count => _blocks.Count;

    public long Bytes => Interlocked.Read(ref _bytes);

    public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        if (_blocks.TryAdd(cid, block.ToArray()))
        {
            Interlocked.Add(ref _bytes, block.Length);
        }

        return ValueTask.CompletedTask;
    }

    public bool TryGet(Cid cid, out byte[] block) => _blocks.TryGetValue(cid, out block!);

    /// <summary>Keeps what <paramref name="roots"/> reach through dag-pb links; returns the removed CIDs.</summary>
    public IReadOnlyList<Cid> CollectGarbage(IEnumerable<Cid> roots)
    {
        var reachable = new HashSet<Cid>();
        var pending = new Stack<Cid>(roots);
        while (pending.TryPop(out var cid))
        {
            if (!reachable.Add(cid) || cid.Codec != Multicodec.DagPb || !_blocks.TryGetValue(cid, out var block))
            {
                continue;
            }

            foreach (var link in DagPb.Decode(block).Links)
            {
                pending.Push(link.Hash);
            }
        }

        var removed = new List<Cid>();
        foreach (var cid in _blocks.Keys)
        {
            if (!reachable.Contains(cid) && _blocks.TryRemove(cid, out var bytes))
            {
                Interlocked.Add(ref _bytes, -bytes.Length);
                removed.Add(cid);
            }
        }

        return removed;
    }

    /// <summary>Follows named links from <paramref name="root"/>; the error text is what a daemon would say.</summary>
    public (Cid? Cid, string? Error) Walk(Cid root, IReadOnlyList<string> names)
    {
        var current = root;
        foreach (var name in names)
        {
            if (current.Codec != Multicodec.DagPb || !_blocks.TryGetValue(current, out var block))
            {
                return (null, $"no link named \"{name}\" under {current}");
            }

            var link = DagPb.Decode(block).Links.FirstOrDefault(l => l.Name == name);
            if (link is null)
            {
                return (null, $"no link named \"{name}\" under {current}");
            }

            current = link.Hash;
        }

        return (current, null);
    }
}
