using System.Collections.Concurrent;

namespace CompositeGateway.Ipld;

/// <summary>Receives blocks as an importer or CAR reader produces them, in production order.</summary>
internal interface IBlockSink
{
    /// <summary>
    /// Accepts one block. <paramref name="block"/> is only valid until the returned task completes
    /// (producers reuse pooled buffers): copy it to keep it.
    /// </summary>
    ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken);
}

/// <summary>Discards every block: Kubo's <c>only-hash</c>.</summary>
internal sealed class NullBlockSink : IBlockSink
{
    public static NullBlockSink Instance { get; } = new();

    private NullBlockSink()
    {
    }

    public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Keeps blocks in memory, keyed by CID (tests, emulators, small imports).</summary>
internal sealed class MemoryBlockStore : IBlockSink, IBlockSource
{
    private readonly ConcurrentDictionary<Cid, byte[]> _blocks = new();

    public int Count => _blocks.Count;

    public IEnumerable<Cid> Cids => _blocks.Keys;

    public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        _blocks.TryAdd(cid, block.ToArray());
        return ValueTask.CompletedTask;
    }

    public bool TryGet(Cid cid, out ReadOnlyMemory<byte> block)
    {
        var found = _blocks.TryGetValue(cid, out var bytes);
        block = bytes;
        return found;
    }
}
