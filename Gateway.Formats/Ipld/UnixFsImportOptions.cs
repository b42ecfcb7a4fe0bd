namespace CompositeGateway.Ipld;

/// <summary>How files are chunked and laid out; defaults are Kubo's <c>ipfs add</c> defaults.</summary>
internal sealed record UnixFsImportOptions
{
    /// <summary>0 (Kubo default) or 1 (<c>cid-version=1</c>).</summary>
    public int CidVersion { get; init; }

    /// <summary>Leaves as raw blocks instead of UnixFS File nodes; null means Kubo's rule: raw when <see cref="CidVersion"/> is 1.</summary>
    public bool? RawLeaves { get; init; }

    /// <summary>Fixed chunk size (Kubo <c>size-262144</c>).</summary>
    public int ChunkSize { get; init; } = 262_144;

    /// <summary>Links per internal node of the balanced layout (boxo helpers.DefaultLinksPerBlock).</summary>
    public int MaxLinks { get; init; } = 174;

    public bool UseRawLeaves => RawLeaves ?? CidVersion == 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (CidVersion is not (0 or 1))
        {
            throw new ArgumentException("cid-version must be 0 or 1, got " + CidVersion, nameof(CidVersion));
        }

        // boxo chunker.ChunkSizeLimit: Kubo refuses chunks above 1 MiB.
        if (ChunkSize is < 1 or > 1_048_576)
        {
            throw new ArgumentException("chunk size must be between 1 and 1048576 bytes, got " + ChunkSize, nameof(ChunkSize));
        }

        if (MaxLinks < 2)
        {
            throw new ArgumentException("max links must be at least 2, got " + MaxLinks, nameof(MaxLinks));
        }
    }
}

/// <summary>The result of importing a file or assembling a directory.</summary>
/// <param name="Cid">Root CID.</param>
/// <param name="FileSize">Bytes of file content (for a directory: all file bytes below it).</param>
/// <param name="DagSize">Cumulative size of the DAG: every block's encoded length, which is what a parent link's Tsize, Kubo's CumulativeSize and cluster <c>/add</c>'s <c>size</c> report.</param>
/// <param name="IsDirectory">Whether the root is a UnixFS directory.</param>
internal sealed record ImportedEntry(Cid Cid, ulong FileSize, ulong DagSize, bool IsDirectory = false);
