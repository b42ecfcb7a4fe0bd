using System.Globalization;
using CompositeGateway.Lab.Wire;
using CompositeGateway.Ipld;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.Lab;

/// <summary>An add that failed; the message is what the cluster answers (500, or the stream trailer).</summary>
internal sealed class LabAddException(string message) : Exception(message);

/// <summary>
/// The cluster adder (ipfs-cluster <c>adder/</c>) over the Ipld importer: reads the go-ipfs-files
/// multipart layout part by part (file bodies are streamed into the importer, never buffered),
/// stores blocks in the cluster's <see cref="LabBlockStore"/>, reports AddedOutput objects like
/// <c>ipfsadd</c> (files as they finish, then directories children-first, the root last) and
/// finally pins the root with the request's options on the block destinations.
/// </summary>
internal sealed class LabAdder(LabCluster cluster, LabAddRequest request, Action<AddedOutput> emit, Func<ValueTask> flush)
{
    private IReadOnlyList<int> _destinations = [];
    private IReadOnlyList<string>? _allocations;
    private IBlockSink _sink = NullBlockSink.Instance;

    /// <summary>Runs the add; returns the root CID (null when nothing was added). Throws <see cref="LabAddException"/>.</summary>
    public async Task<string?> AddAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        CheckSupported();
        Allocate();
        var options = new UnixFsImportOptions { CidVersion = request.CidVersion, RawLeaves = request.RawLeaves, ChunkSize = ChunkSize() };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new LabAddException(e.Message);
        }

        var importer = new UnixFsImporter(_sink, options);
        ImportedEntry? root;
        try
        {
            root = request.Format == "car"
                ? await AddCarAsync(reader, cancellationToken)
                : await AddUnixFsAsync(importer, reader, cancellationToken);
        }
        catch (Exception e) when (e is IpldFormatException or IOException or InvalidDataException or ArgumentException)
        {
            throw new LabAddException(e.Message);
        }
        finally
        {
            // Blocks already put stay put (a real daemon keeps them until gc); waiting pins may now be complete.
            cluster.BlocksArrived();
        }

        if (root is null)
        {
            if (request.NoPin)
            {
                return null;
            }

            throw new LabAddException("bad pin object");
        }

        var rootCid = root.Cid.ToString();
        cluster.ContentSizes[rootCid] = (long)root.DagSize;
        if (!request.NoPin)
        {
            // single.DAGService.Finalize: the root is pinned on the block destinations, mode recursive.
            var (_, error) = LabPinning.Pin(cluster, rootCid, request.Pin with { Mode = "recursive" }, pathRoute: false, _destinations);
            if (error is not null)
            {
                throw new LabAddException(error.Message);
            }
        }

        return rootCid;
    }

    private void CheckSupported()
    {
        if (request.Shard)
        {
            throw new LabAddException("lab: sharded adds are not emulated");
        }

        if (request.Layout == "trickle")
        {
            throw new LabAddException("lab: the trickle layout is not emulated");
        }

        if (!request.Hash.Equals("sha2-256", StringComparison.OrdinalIgnoreCase))
        {
            throw new LabAddException(request.Hash.ToLowerInvariant() is "sha2-512" or "sha3-256" or "sha3-512" or "blake2b-256" or "blake3" or "identity" or "sha1" or "keccak-256"
                ? $"lab: hash function {request.Hash} is not emulated"
                : "hash function name not known");
        }
    }

    private int ChunkSize()
    {
        var chunker = request.Chunker;
        if (chunker is "" or "default")
        {
            return 262_144;
        }

        if (chunker.StartsWith("size-", StringComparison.Ordinal)
            && int.TryParse(chunker.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return size;
        }

        throw new LabAddException($"lab: chunker \"{chunker}\" is not emulated (only size-N)");
    }

    /// <summary>Cluster.BlockAllocate: where the blocks (and then the pin) go; errors are the pin checks'.</summary>
    private void Allocate()
    {
        var pin = request.Pin;
        var min = pin.ReplicationMin == 0 ? cluster.Options.ReplicationFactorMin : pin.ReplicationMin;
        var max = pin.ReplicationMax == 0 ? cluster.Options.ReplicationFactorMax : pin.ReplicationMax;
        if (ReplicationCheck.Validate(min, max) is { } replicationError)
        {
            throw new LabAddException(replicationError);
        }

        if (pin.ExpireAt is { } expireAt && expireAt < cluster.Time.GetUtcNow())
        {
            throw new LabAddException("pin.ExpireAt set before current time");
        }

        List<int> destinations;
        if (min < 0)
        {
            // Every peer with a valid ping metric, sorted by peer ID; the pin itself stays "everywhere".
            destinations = [.. cluster.PeersById.Where(p => !cluster.IsDown(p)).Select(p => p.Index)];
            _destinations = [];
        }
        else
        {
            var (indexes, error) = LabAllocator.Allocate(cluster, min, max, null, pin.UserAllocations);
            if (error is not null)
            {
                throw new LabAddException(error);
            }

            destinations = [.. indexes!];
            // local=true: the contacted peer takes the last place unless the user chose the peers.
            if (request.Local && !destinations.Contains(0) && pin.UserAllocations is not { Count: > 0 } && destinations.Count > 0)
            {
                destinations[^1] = 0;
            }

            _destinations = destinations;
        }

        _allocations = destinations.Count == 0 ? null : [.. destinations.Select(i => cluster.Peers[i].Id)];
        // single.DAGService: blocks go to every destination, or with local=true to the contacted peer only.
        var blockPeers = request.Local ? 1UL : destinations.Aggregate(0UL, (mask, i) => mask | (1UL << i));
        _sink = cluster.Blocks.For(blockPeers, cluster.UpPeers);
    }

    private async Task<ImportedEntry?> AddUnixFsAsync(UnixFsImporter importer, MultipartReader reader, CancellationToken cancellationToken)
    {
        ImportedEntry? root = null;
        DirectoryGroup? group = request.Wrap ? new DirectoryGroup("", importer.CreateDirectory()) : null;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            var (path, kind) = Describe(section);
            if (kind == PartKind.Symlink)
            {
                throw new LabAddException("lab: symlinks are not emulated");
            }

            var top = path.Split('/')[0];
            if (!request.Wrap && (group is null || group.Name != top || path == top))
            {
                // A new top-level entry: the previous one is complete (ipfs-cluster adds entries one by one).
                if (group is not null)
                {
                    root = await FinishAsync(group, cancellationToken);
                    group = null;
                }

                if (path == top && kind == PartKind.File)
                {
                    root = await ImportFileAsync(importer, section, path, path, cancellationToken);
                    continue;
                }

                group = new DirectoryGroup(top, importer.CreateDirectory());
                if (path == top)
                {
                    continue;
                }
            }

            var relative = group!.Name.Length == 0 ? path : path[(group.Name.Length + 1)..];
            if (kind == PartKind.Directory)
            {
                group.Builder.AddDirectory(relative);
                continue;
            }

            var entry = await ImportFileAsync(importer, section, Join(group.Name, relative), relative, cancellationToken);
            group.Builder.Add(relative, entry);
        }

        if (group is not null)
        {
            root = await FinishAsync(group, cancellationToken);
        }

        return root;
    }

    private async Task<ImportedEntry> ImportFileAsync(UnixFsImporter importer, MultipartSection section, string name, string progressName, CancellationToken cancellationToken)
    {
        Action<long>? progress = request.Progress ? bytes => emit(new AddedOutput { Name = progressName, Cid = null, Bytes = (ulong)bytes }) : null;
        var entry = await importer.ImportFileAsync(section.Body, progress, cancellationToken);
        Output(name, entry);
        await flush();
        return entry;
    }

    private async Task<ImportedEntry> FinishAsync(DirectoryGroup group, CancellationToken cancellationToken)
    {
        var entry = await group.Builder.BuildAsync(_sink, (path, directory) => Output(Join(group.Name, path), directory), cancellationToken);
        await flush();
        return entry;
    }

    private async Task<ImportedEntry?> AddCarAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        if (request.Wrap)
        {
            throw new LabAddException("cannot wrap a CAR file upload");
        }

        if (await reader.ReadNextSectionAsync(cancellationToken) is not { } section)
        {
            return null;
        }

        var (name, kind) = Describe(section);
        if (kind != PartKind.File)
        {
            throw new LabAddException("expected CAR file is not of type file");
        }

        await using var car = await CarReader.OpenAsync(section.Body, cancellationToken);
        if (car.Roots.Count != 1)
        {
            throw new LabAddException("only CAR files with a single root are supported");
        }

        var root = car.Roots[0];
        // The root need not be in the CAR (partial DAGs, docs/protocol/cluster-rest.md §5.13); when it is and is UnixFS, its file size is reported.
        var rootSink = new RootSizeSink(_sink, root);
        await car.CopyToAsync(rootSink, cancellationToken);
        var size = rootSink.FileSize;

        emit(new AddedOutput { Name = name, Cid = root.ToString(), Bytes = (ulong)car.BlockBytes, Size = size, Allocations = _allocations });
        await flush();
        return new ImportedEntry(root, size, (ulong)car.BlockBytes);
    }

    private void Output(string name, ImportedEntry entry) =>
        emit(new AddedOutput { Name = name, Cid = entry.Cid.ToString(), Size = entry.DagSize, Allocations = _allocations });

    /// <summary>Go's <c>filepath.Join</c> for the relative names the adder prints.</summary>
    private static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "/" + name;

    /// <summary>The part's path (go-ipfs-files: <c>filename</c>, else <c>name</c>, query-unescaped) and kind.</summary>
    private static (string Path, PartKind Kind) Describe(MultipartSection section)
    {
        var disposition = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var parsed) ? parsed : null;
        var raw = HeaderUtilities.RemoveQuotes(disposition?.FileName ?? default).Value
            ?? HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value ?? "";
        var path = Uri.UnescapeDataString(raw.Replace('+', ' ')).Trim('/');
        var kind = section.ContentType switch
        {
            "application/x-directory" => PartKind.Directory,
            "application/symlink" => PartKind.Symlink,
            _ => PartKind.File,
        };
        return (path, kind);
    }

    private enum PartKind
    {
        File,
        Directory,
        Symlink,
    }

    private sealed record DirectoryGroup(string Name, DirectoryBuilder Builder);

    /// <summary>carAdder: notes the UnixFS file size of the root block as it passes (0 when absent or not UnixFS).</summary>
    private sealed class RootSizeSink(IBlockSink inner, Cid root) : IBlockSink
    {
        public ulong FileSize { get; private set; }

        public ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            if (cid.Codec == Multicodec.DagPb && cid.Equals(root))
            {
                try
                {
                    FileSize = DagPb.Decode(block.Span).Data is { } data ? UnixFsData.Decode(data.Span).FileSize ?? 0 : 0;
                }
                catch (IpldFormatException)
                {
                    // Not UnixFS: no size, like the cluster's carAdder.
                }
            }

            return inner.PutAsync(cid, block, cancellationToken);
        }
    }
}
