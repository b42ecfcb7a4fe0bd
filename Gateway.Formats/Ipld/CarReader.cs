using System.Buffers;
using System.IO.Pipelines;

namespace CompositeGateway.Ipld;

/// <summary>
/// Streams a CARv1 file (ipld/specs transport/car/carv1): varint-prefixed dag-cbor header, then
/// sections of varint length, binary CID, block bytes. Every block is checked against its CID's
/// multihash before it reaches the sink; one section is in memory at a time.
/// </summary>
internal sealed class CarReader : IAsyncDisposable
{
    /// <summary>go-car's DefaultMaxAllowedSectionSize / DefaultMaxAllowedHeaderSize (32 MiB).</summary>
    public const int DefaultMaxSectionSize = 32 << 20;

    private readonly PipeReader _reader;
    private readonly int _maxSectionSize;

    private CarReader(PipeReader reader, IReadOnlyList<Cid> roots, int maxSectionSize)
    {
        _reader = reader;
        Roots = roots;
        _maxSectionSize = maxSectionSize;
    }

    public IReadOnlyList<Cid> Roots { get; }

    /// <summary>Blocks read so far.</summary>
    public long BlockCount { get; private set; }

    /// <summary>Sum of block lengths read so far (cluster <c>/add?format=car</c> reports it as <c>bytes</c>).</summary>
    public long BlockBytes { get; private set; }

    /// <summary>Reads the header; throws <see cref="IpldFormatException"/> if it is not a CARv1 header.</summary>
    public static async ValueTask<CarReader> OpenAsync(Stream stream, CancellationToken cancellationToken, int maxSectionSize = DefaultMaxSectionSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            var header = await ReadSectionAsync(reader, maxSectionSize, cancellationToken)
                ?? throw new IpldFormatException("car: empty file, no header");
            var (version, roots) = CarHeader.Decode(header);
            if (version != 1)
            {
                throw new IpldFormatException(version == 2 ? "car: CARv2 is not supported, only CARv1" : "car: invalid car version: " + version);
            }

            return new CarReader(reader, roots, maxSectionSize);
        }
        catch
        {
            await reader.CompleteAsync();
            throw;
        }
    }

    /// <summary>Reads, verifies and forwards every block to <paramref name="sink"/> until the end of the stream.</summary>
    public async ValueTask CopyToAsync(IBlockSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (await ReadSectionAsync(_reader, _maxSectionSize, cancellationToken) is { } section)
        {
            try
            {
                if (!Cid.TryRead(section, out var cid, out var consumed, out var error))
                {
                    throw new IpldFormatException("car: section " + BlockCount + ": " + error);
                }

                var block = section.AsMemory(consumed);
                switch (cid.Multihash.Matches(block.Span))
                {
                    case null:
                        throw new IpldFormatException("car: block " + cid + " uses hash function " + Multicodec.NameOf(cid.Multihash.Code) + ", which cannot be verified");
                    case false:
                        throw new IpldFormatException("car: block data does not match CID " + cid);
                }

                await sink.PutAsync(cid, block, cancellationToken);
                BlockCount++;
                BlockBytes += block.Length;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(section.Array!);
            }
        }
    }

    /// <summary>Convenience: open, copy every block to <paramref name="sink"/>, return the reader for its roots and totals.</summary>
    public static async ValueTask<CarReader> ReadAllAsync(Stream stream, IBlockSink sink, CancellationToken cancellationToken)
    {
        var reader = await OpenAsync(stream, cancellationToken);
        await using (reader)
        {
            await reader.CopyToAsync(sink, cancellationToken);
        }

        return reader;
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();

    /// <summary>One varint-prefixed section in a pooled array (caller returns it), or null at a clean end of stream.</summary>
    private static async ValueTask<ArraySegment<byte>?> ReadSectionAsync(PipeReader reader, int maxSize, CancellationToken cancellationToken)
    {
        ulong length;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                return null;
            }

            var status = PeekVarint(buffer, out length, out var size);
            if (status == VarintStatus.Ok)
            {
                reader.AdvanceTo(buffer.GetPosition(size));
                break;
            }

            if (status != VarintStatus.Truncated || result.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start);
                throw new IpldFormatException("car: section length: " + (status == VarintStatus.Truncated ? "unexpected end of data" : Varint.Describe(status)));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        if (length == 0)
        {
            throw new IpldFormatException("car: zero-length section");
        }

        if (length > (ulong)maxSize)
        {
            throw new IpldFormatException("car: section of " + length + " bytes exceeds the " + maxSize + "-byte limit");
        }

        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= (long)length)
            {
                var array = ArrayPool<byte>.Shared.Rent((int)length);
                buffer.Slice(0, (long)length).CopyTo(array);
                reader.AdvanceTo(buffer.GetPosition((long)length));
                return new ArraySegment<byte>(array, 0, (int)length);
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start);
                throw new IpldFormatException("car: unexpected end of data: section of " + length + " bytes, " + buffer.Length + " present");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static VarintStatus PeekVarint(in ReadOnlySequence<byte> buffer, out ulong value, out int size)
    {
        Span<byte> head = stackalloc byte[Varint.MaxLength];
        var available = (int)Math.Min(buffer.Length, Varint.MaxLength);
        buffer.Slice(0, available).CopyTo(head);
        return Varint.TryRead(head[..available], out value, out size);
    }
}
