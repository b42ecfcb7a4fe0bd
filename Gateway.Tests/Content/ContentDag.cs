using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Content;

/// <summary>A UnixFS file's blocks in the order an ipfs-cluster adder sends them (leaves and parents as built, root last).</summary>
internal sealed class ContentDag : IBlockSink
{
    public List<(Cid Cid, byte[] Data)> Blocks { get; } = [];

    public Cid Root { get; private set; } = null!;

    public static async Task<ContentDag> BuildAsync(int bytes, int seed, UnixFsImportOptions? options = null)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        var dag = new ContentDag();
        var entry = await new UnixFsImporter(dag, options).ImportBytesAsync(data, CancellationToken.None);
        dag.Root = entry.Cid;
        return dag;
    }

    public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        Blocks.Add((cid, block.ToArray()));
        return ValueTask.CompletedTask;
    }

    /// <summary>The blocks as the Go peer streams them; <paramref name="afterEach"/> runs after block i was handed over.</summary>
    public async IAsyncEnumerable<(Cid Cid, ReadOnlyMemory<byte> Data)> StreamAsync(Func<int, Task>? afterEach = null)
    {
        for (var i = 0; i < Blocks.Count; i++)
        {
            yield return (Blocks[i].Cid, Blocks[i].Data);
            if (afterEach is not null)
            {
                await afterEach(i);
            }
        }
    }
}
