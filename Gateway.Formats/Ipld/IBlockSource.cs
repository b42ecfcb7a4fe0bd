namespace CompositeGateway.Ipld;

/// <summary>Where readers of a DAG get its blocks from.</summary>
internal interface IBlockSource
{
    /// <summary>The block's bytes, or false when the source does not have them.</summary>
    bool TryGet(Cid cid, out ReadOnlyMemory<byte> block);
}

/// <summary>A block a DAG reader needed and its <see cref="IBlockSource"/> does not have.</summary>
internal sealed class MissingBlockException(Cid cid) : Exception("block not found: " + cid)
{
    public Cid Cid { get; } = cid;
}
