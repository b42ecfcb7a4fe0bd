namespace CompositeGateway.Ipld;

/// <summary>What a UnixFS node is, as <c>ls</c> and <c>cat</c> need it.</summary>
internal readonly record struct UnixFsNodeInfo(UnixFsType Type, ulong Size);

/// <summary>
/// Reads UnixFS (ipfs/specs UNIXFS.md) back out of blocks: a file's bytes as slices in order, from
/// an offset and up to a length, without assembling the file (a raw leaf's slice is the stored block
/// itself); a node's kind and size. Throws <see cref="MissingBlockException"/> for an absent block and
/// <see cref="IpldFormatException"/> for a node that is not what UnixFS says it is.
/// </summary>
internal static class UnixFsReader
{
    private const int MaxDepth = 64;

    /// <summary>Kind and size: file size for files and raw blocks, 0 for directories.</summary>
    public static UnixFsNodeInfo Describe(IBlockSource source, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(cid);
        var block = Get(source, cid);
        if (cid.Codec == Multicodec.Raw)
        {
            return new UnixFsNodeInfo(UnixFsType.File, (ulong)block.Length);
        }

        var data = Data(cid, block);
        return data.Type switch
        {
            UnixFsType.File or UnixFsType.Raw => new UnixFsNodeInfo(UnixFsType.File, data.FileSize ?? (ulong)(data.Data?.Length ?? 0)),
            UnixFsType.Symlink => new UnixFsNodeInfo(UnixFsType.Symlink, (ulong)(data.Data?.Length ?? 0)),
            _ => new UnixFsNodeInfo(data.Type, 0),
        };
    }

    /// <summary>The file's bytes from <paramref name="offset"/>, at most <paramref name="length"/> of them, slice by slice.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> ReadFile(IBlockSource source, Cid root, ulong offset = 0, ulong length = ulong.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(root);
        var remaining = length;
        return Read(source, root, offset, () => remaining, n => remaining -= n, 0);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Read(IBlockSource source, Cid cid, ulong skip, Func<ulong> remaining, Action<ulong> took, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new IpldFormatException("unixfs: file DAG nested too deeply");
        }

        var block = Get(source, cid);
        if (cid.Codec == Multicodec.Raw)
        {
            foreach (var slice in Emit(block, ref skip, remaining, took))
            {
                yield return slice;
            }

            yield break;
        }

        var node = cid.Codec == Multicodec.DagPb ? DagPb.Decode(block.Span) : throw new IpldFormatException($"unixfs: {cid} is not dag-pb or raw");
        var data = node.Data is { } bytes ? UnixFsData.Decode(bytes.Span) : throw new IpldFormatException("unixfs: node has no Data");
        switch (data.Type)
        {
            case UnixFsType.Directory or UnixFsType.HamtShard:
                throw new IpldFormatException("this dag node is a directory");
            case UnixFsType.File or UnixFsType.Raw:
                break;
            default:
                throw new IpldFormatException("unixfs: " + data.Type + " node is not a file");
        }

        if (data.Data is { Length: > 0 } inline)
        {
            foreach (var slice in Emit(inline, ref skip, remaining, took))
            {
                yield return slice;
            }
        }

        if (node.Links.Count != data.BlockSizes.Count && node.Links.Count > 0)
        {
            throw new IpldFormatException("unixfs: links and blocksizes differ in count");
        }

        for (var i = 0; i < node.Links.Count && remaining() > 0; i++)
        {
            var size = data.BlockSizes[i];
            if (skip >= size)
            {
                skip -= size;
                continue;
            }

            foreach (var slice in Read(source, node.Links[i].Hash, skip, remaining, took, depth + 1))
            {
                yield return slice;
            }

            skip = 0;
        }
    }

    private static List<ReadOnlyMemory<byte>> Emit(ReadOnlyMemory<byte> bytes, ref ulong skip, Func<ulong> remaining, Action<ulong> took)
    {
        if (skip >= (ulong)bytes.Length)
        {
            skip -= (ulong)bytes.Length;
            return [];
        }

        var slice = bytes[(int)skip..];
        skip = 0;
        var left = remaining();
        if ((ulong)slice.Length > left)
        {
            slice = slice[..(int)left];
        }

        if (slice.IsEmpty)
        {
            return [];
        }

        took((ulong)slice.Length);
        return [slice];
    }

    private static ReadOnlyMemory<byte> Get(IBlockSource source, Cid cid)
    {
        if (cid.Multihash.Code == Multicodec.Identity)
        {
            return cid.Multihash.Digest;
        }

        return source.TryGet(cid, out var block) ? block : throw new MissingBlockException(cid);
    }

    private static UnixFsData Data(Cid cid, ReadOnlyMemory<byte> block)
    {
        var node = cid.Codec == Multicodec.DagPb ? DagPb.Decode(block.Span) : throw new IpldFormatException($"unixfs: {cid} is not dag-pb or raw");
        return node.Data is { } bytes ? UnixFsData.Decode(bytes.Span) : throw new IpldFormatException("unixfs: node has no Data");
    }
}
