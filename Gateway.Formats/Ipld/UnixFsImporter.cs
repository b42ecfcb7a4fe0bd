using System.Buffers;
using System.Diagnostics;

namespace CompositeGateway.Ipld;

/// <summary>
/// Kubo's default <c>ipfs add</c> for one file: fixed-size chunks, balanced layout, UnixFS File
/// (or raw) leaves, dag-pb parents. The input is read one chunk at a time and every block goes to
/// the sink as soon as it exists, so memory is one chunk plus at most <c>depth × MaxLinks</c>
/// pending links, whatever the file size.
/// </summary>
/// <remarks>
/// Tree shape (boxo importer/balanced, mirrored by js-ipfs-unixfs-importer's balanced builder):
/// leaves are grouped by MaxLinks under parents, parents again by MaxLinks, until one node is
/// left. A file of one chunk has that leaf as its root. Parent links have an empty (but present)
/// Name and Tsize = the child's cumulative size; the parent's UnixFS Data lists each child's
/// content bytes in <c>blocksizes</c> and their sum in <c>filesize</c>.
/// </remarks>
internal sealed class UnixFsImporter
{
    private readonly IBlockSink _sink;
    private readonly UnixFsImportOptions _options;
    private readonly bool _rawLeaves;

    public UnixFsImporter(IBlockSink sink, UnixFsImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _options = options ?? new UnixFsImportOptions();
        _options.Validate();
        _sink = sink;
        _rawLeaves = _options.UseRawLeaves;
    }

    public UnixFsImportOptions Options => _options;

    /// <summary>A directory builder producing directory nodes with this importer's CID version.</summary>
    public DirectoryBuilder CreateDirectory() => new(_options.CidVersion);

    /// <summary>Imports <paramref name="content"/> read to its end.</summary>
    /// <param name="content">The file bytes; read sequentially, never seeked.</param>
    /// <param name="progress">Called after each chunk with the number of bytes read so far.</param>
    /// <param name="cancellationToken">Stops the import between reads and block writes.</param>
    public async ValueTask<ImportedEntry> ImportFileAsync(Stream content, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var chunkSize = _options.ChunkSize;
        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        var levels = new List<List<ImportedEntry>>();
        try
        {
            long total = 0;
            var first = true;
            while (true)
            {
                // Not every stream (nor sink) honours the token; a long import must still stop.
                cancellationToken.ThrowIfCancellationRequested();
                var read = await content.ReadAtLeastAsync(chunk.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0 && !first)
                {
                    break;
                }

                // An empty file still has one (empty) leaf: Kubo's QmbFMke1… is that leaf.
                first = false;
                total += read;
                var leaf = await PutLeafAsync(chunk.AsMemory(0, read), cancellationToken);
                await AddAsync(levels, 0, leaf, cancellationToken);
                progress?.Invoke(total);
                if (read < chunkSize)
                {
                    break;
                }
            }

            return await FinishAsync(levels, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Imports an in-memory file.</summary>
    public async ValueTask<ImportedEntry> ImportBytesAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var stream = new ReadOnlyMemoryStream(content);
        return await ImportFileAsync(stream, progress: null, cancellationToken);
    }

    private async ValueTask AddAsync(List<List<ImportedEntry>> levels, int level, ImportedEntry entry, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (levels.Count == level)
            {
                levels.Add(new List<ImportedEntry>(_options.MaxLinks));
            }

            var siblings = levels[level];
            siblings.Add(entry);
            if (siblings.Count < _options.MaxLinks)
            {
                return;
            }

            // A full group always gets a parent, exactly like the batch-then-reduce builders.
            entry = await PutParentAsync(siblings, cancellationToken);
            siblings.Clear();
            level++;
        }
    }

    private async ValueTask<ImportedEntry> FinishAsync(List<List<ImportedEntry>> levels, CancellationToken cancellationToken)
    {
        for (var level = 0; level < levels.Count; level++)
        {
            var siblings = levels[level];
            var isTop = true;
            for (var above = level + 1; above < levels.Count; above++)
            {
                isTop &= levels[above].Count == 0;
            }

            if (isTop && siblings.Count == 1)
            {
                return siblings[0];
            }

            if (siblings.Count == 0)
            {
                continue;
            }

            var parent = await PutParentAsync(siblings, cancellationToken);
            siblings.Clear();
            if (levels.Count == level + 1)
            {
                levels.Add([]);
            }

            levels[level + 1].Add(parent);
        }

        throw new InvalidOperationException("import produced no root");
    }

    private async ValueTask<ImportedEntry> PutLeafAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_rawLeaves)
        {
            // Raw leaves are always CIDv1 (a v0 CID can only name dag-pb).
            var rawCid = Cid.Hash(1, Multicodec.Raw, data.Span);
            await _sink.PutAsync(rawCid, data, cancellationToken);
            return new ImportedEntry(rawCid, (ulong)data.Length, (ulong)data.Length);
        }

        var unixFs = new UnixFsData
        {
            Type = UnixFsType.File,
            // The cast matters: a bare null would convert through byte[] to an EMPTY memory and
            // emit an empty Data field, which Kubo (and js-ipfs-unixfs) leave out.
            Data = data.Length == 0 ? (ReadOnlyMemory<byte>?)null : data,
            FileSize = (ulong)data.Length,
        };
        var (cid, length) = await PutNodeAsync([], unixFs, cancellationToken);
        return new ImportedEntry(cid, (ulong)data.Length, (ulong)length);
    }

    private async ValueTask<ImportedEntry> PutParentAsync(List<ImportedEntry> children, CancellationToken cancellationToken)
    {
        var links = new PbLink[children.Count];
        var blockSizes = new ulong[children.Count];
        ulong fileSize = 0, dagSize = 0;
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            links[i] = new PbLink(child.Cid, "", child.DagSize);
            blockSizes[i] = child.FileSize;
            fileSize += child.FileSize;
            dagSize += child.DagSize;
        }

        var unixFs = new UnixFsData { Type = UnixFsType.File, FileSize = fileSize, BlockSizes = blockSizes };
        var (cid, length) = await PutNodeAsync(links, unixFs, cancellationToken);
        return new ImportedEntry(cid, fileSize, dagSize + (ulong)length);
    }

    /// <summary>Encodes a dag-pb node around <paramref name="unixFs"/> in pooled buffers and hands it to the sink.</summary>
    private ValueTask<(Cid Cid, int Length)> PutNodeAsync(IReadOnlyList<PbLink> links, UnixFsData unixFs, CancellationToken cancellationToken)
        => PutDagPbAsync(_sink, _options.CidVersion, links, unixFs, cancellationToken);

    internal static async ValueTask<(Cid Cid, int Length)> PutDagPbAsync(IBlockSink sink, int cidVersion, IReadOnlyList<PbLink> links, UnixFsData unixFs, CancellationToken cancellationToken)
    {
        var dataLength = unixFs.GetEncodedLength();
        var length = DagPb.GetEncodedLength(links, dataLength);
        var block = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            // Links, then the Data field's tag and length, then UnixFS written in place: the
            // chunk is copied once, straight into the block.
            var position = DagPb.Write(block, links, default, hasData: false);
            var header = new ProtoWriter(block.AsSpan(position));
            header.WriteTag(1, WireType.LengthDelimited);
            header.WriteRawVarint((ulong)dataLength);
            position += header.Position;
            position += unixFs.WriteTo(block.AsSpan(position));
            Debug.Assert(position == length, "dag-pb length mismatch");
            var cid = Cid.Hash(cidVersion, Multicodec.DagPb, block.AsSpan(0, length));
            await sink.PutAsync(cid, block.AsMemory(0, length), cancellationToken);
            return (cid, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>A read-only seekless stream over memory, so byte imports share the streaming path.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
