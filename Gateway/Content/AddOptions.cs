namespace CompositeGateway.Content;

/// <summary>
/// A Kubo <c>add</c> after the surface resolved Kubo's defaults and rules (kubo <c>core/coreiface/options/unixfs.go</c>:
/// a hash other than sha2-256 implies CIDv1, CIDv1 implies raw leaves unless raw-leaves was given).
/// </summary>
internal sealed record AddOptions
{
    /// <summary>Kubo <c>pin</c> (default true): the root is pinned through the pin service, owned by this gateway.</summary>
    public bool Pin { get; init; } = true;

    /// <summary>Kubo <c>only-hash</c>: CIDs computed here, nothing sent to any undercluster.</summary>
    public bool OnlyHash { get; init; }

    public int CidVersion { get; init; }

    public bool RawLeaves { get; init; }

    /// <summary>Fixed chunk size (Kubo <c>chunker=size-N</c>).</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>Multihash name, lower case.</summary>
    public string Hash { get; init; } = DefaultHash;

    public bool Wrap { get; init; }

    public bool Progress { get; init; }

    /// <summary>Kubo <c>silent</c>: the adder writes no entry lines (progress lines still go out when asked for).</summary>
    public bool Silent { get; init; }

    public const int DefaultChunkSize = 262_144;

    public const string DefaultHash = "sha2-256";
}

/// <summary>One line of an add's answer: an entry added (<see cref="Cid"/> set), or a progress report (<see cref="Cid"/> null).</summary>
/// <param name="Name">Kubo's name: the path in the upload, <c>""</c> for the wrapping directory, the CID for an unnamed top-level file.</param>
/// <param name="Cid">The entry's CID; null on a progress line.</param>
/// <param name="Bytes">Bytes of the named file read so far (progress lines).</param>
/// <param name="Size">Cumulative DAG size of the entry.</param>
internal sealed record AddedEntry(string Name, string? Cid, long Bytes, ulong Size)
{
    public bool IsProgress => Cid is null;
}

/// <summary>The request body of an add: the multipart stream as the client sends it, and its content type (with the boundary).</summary>
internal sealed record AddUpload(Stream Body, string ContentType, string Boundary, long? Length);
