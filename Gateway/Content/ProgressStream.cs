namespace CompositeGateway.Content;

/// <summary>
/// Reports a file's bytes read so far the way Kubo's adder does (<c>core/coreunix/add.go</c> progressReader): after
/// every 256 KiB read and once at the end of the file, awaiting the report so a slow client slows the read.
/// </summary>
internal sealed class ProgressStream(Stream inner, string name, AddEmitter emit) : Stream
{
    /// <summary>Kubo's <c>progressReaderIncrement</c>.</summary>
    public const int Increment = 262_144;

    private long _bytes;
    private long _reported;
    private bool _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _bytes;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _bytes += read;
        if ((read == 0 && !_ended) || _bytes - _reported >= Increment)
        {
            _ended |= read == 0;
            _reported = _bytes;
            await emit(new AddedEntry(name, null, _bytes, 0), cancellationToken);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
