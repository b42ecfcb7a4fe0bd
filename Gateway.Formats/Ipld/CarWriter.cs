using System.Buffers;

namespace CompositeGateway.Ipld;

/// <summary>
/// Writes a CARv1 stream: the header at creation, then one section per <see cref="PutAsync"/>,
/// so an importer can write straight into a CAR. The roots must be known up front (CARv1 puts
/// them first): import once with <see cref="NullBlockSink"/> to learn them if need be.
/// </summary>
internal sealed class CarWriter : IBlockSink
{
    private readonly Stream _stream;

    private CarWriter(Stream stream) => _stream = stream;

    public static async ValueTask<CarWriter> CreateAsync(Stream stream, IReadOnlyList<Cid> roots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = CarHeader.Encode(roots);
        var prefix = new byte[Varint.MaxLength];
        var n = Varint.Write(prefix, (ulong)header.Length);
        await stream.WriteAsync(prefix.AsMemory(0, n), cancellationToken);
        await stream.WriteAsync(header, cancellationToken);
        return new CarWriter(stream);
    }

    public async ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var sectionLength = (ulong)(cid.ByteLength + block.Length);
        var head = ArrayPool<byte>.Shared.Rent(Varint.MaxLength + cid.ByteLength);
        try
        {
            var n = Varint.Write(head, sectionLength);
            n += cid.WriteTo(head.AsSpan(n));
            await _stream.WriteAsync(head.AsMemory(0, n), cancellationToken);
            await _stream.WriteAsync(block, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }
}
