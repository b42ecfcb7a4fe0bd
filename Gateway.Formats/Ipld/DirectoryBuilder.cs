using System.Text;

namespace CompositeGateway.Ipld;

/// <summary>
/// Assembles imported files into (nested) UnixFS directories, the way Kubo's adder does for
/// directory uploads and <c>wrap-with-directory</c> (which is this builder with one entry).
/// Directory nodes hold UnixFS Data <c>{Type: Directory}</c> only, links sorted bytewise by UTF-8
/// name (boxo merkledag sorts links before encoding), each link's Tsize the child's cumulative size.
/// </summary>
internal sealed class DirectoryBuilder
{
    /// <summary>
    /// boxo unixfs/io HAMTShardingSize: Kubo turns a directory whose links' names plus CIDs reach
    /// 256 KiB into a HAMT shard. Sharding is not implemented, so such directories are refused
    /// rather than given a CID Kubo would not produce.
    /// </summary>
    public const int ShardingThreshold = 262_144;

    private readonly int _cidVersion;
    private readonly Node _root = new();

    public DirectoryBuilder(int cidVersion = 0)
    {
        if (cidVersion is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(cidVersion), cidVersion, "cid version must be 0 or 1");
        }

        _cidVersion = cidVersion;
    }

    /// <summary>Places an imported file (or an already built directory) at <paramref name="path"/> (<c>/</c>-separated, relative); missing parent directories are created.</summary>
    public void Add(string path, ImportedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var (parent, name) = Resolve(path);
        if (!parent.Children.TryAdd(name, entry))
        {
            throw new ArgumentException("duplicate entry \"" + path + "\"", nameof(path));
        }
    }

    /// <summary>Ensures a (possibly empty) directory exists at <paramref name="path"/>.</summary>
    public void AddDirectory(string path)
    {
        var (parent, name) = Resolve(path);
        _ = Child(parent, name, path);
    }

    /// <summary>
    /// Writes every directory node to <paramref name="sink"/>, children before parents, and returns
    /// the root. <paramref name="onDirectory"/> sees each directory with its path (the root as
    /// <c>""</c>, last) so callers can report it as Kubo's adder does.
    /// </summary>
    public async ValueTask<ImportedEntry> BuildAsync(IBlockSink sink, Action<string, ImportedEntry>? onDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return await BuildAsync(_root, "", sink, onDirectory, cancellationToken);
    }

    private async ValueTask<ImportedEntry> BuildAsync(Node node, string path, IBlockSink sink, Action<string, ImportedEntry>? onDirectory, CancellationToken cancellationToken)
    {
        var entries = new List<(byte[] Name, string Text, ImportedEntry Entry)>(node.Children.Count);
        foreach (var (name, child) in node.Children)
        {
            var entry = child switch
            {
                ImportedEntry file => file,
                Node dir => await BuildAsync(dir, path.Length == 0 ? name : path + "/" + name, sink, onDirectory, cancellationToken),
                _ => throw new InvalidOperationException(),
            };
            entries.Add((Encoding.UTF8.GetBytes(name), name, entry));
        }

        entries.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        var estimated = 0;
        var links = new PbLink[entries.Count];
        ulong fileSize = 0, dagSize = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, text, entry) = entries[i];
            estimated += name.Length + entry.Cid.ByteLength;
            links[i] = new PbLink(entry.Cid, text, entry.DagSize);
            fileSize += entry.FileSize;
            dagSize += entry.DagSize;
        }

        if (estimated >= ShardingThreshold)
        {
            throw new NotSupportedException("directory \"" + path + "\" is large enough that Kubo would shard it (HAMT), which is not supported");
        }

        var (cid, length) = await UnixFsImporter.PutDagPbAsync(sink, _cidVersion, links, new UnixFsData { Type = UnixFsType.Directory }, cancellationToken);
        var result = new ImportedEntry(cid, fileSize, dagSize + (ulong)length, IsDirectory: true);
        onDirectory?.Invoke(path, result);
        return result;
    }

    private (Node Parent, string Name) Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw new ArgumentException("empty path", nameof(path));
        }

        var node = _root;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is "." or "..")
            {
                throw new ArgumentException("path \"" + path + "\" has a '.' or '..' segment", nameof(path));
            }

            if (i < segments.Length - 1)
            {
                node = Child(node, segments[i], path);
            }
        }

        return (node, segments[^1]);
    }

    private static Node Child(Node parent, string name, string path)
    {
        if (!parent.Children.TryGetValue(name, out var existing))
        {
            var created = new Node();
            parent.Children.Add(name, created);
            return created;
        }

        return existing as Node ?? throw new ArgumentException("\"" + path + "\" goes through a file named \"" + name + "\"", nameof(path));
    }

    private sealed class Node
    {
        public Dictionary<string, object> Children { get; } = new(StringComparer.Ordinal);
    }
}
