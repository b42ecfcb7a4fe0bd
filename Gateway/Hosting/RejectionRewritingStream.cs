namespace CompositeGateway.Hosting;

/// <summary>
/// The write side of a Kubo listener connection (<see cref="KestrelRejections"/>): writes pass through, except a
/// bodiless error answer Kestrel writes on its own while no request is in the application, which
/// <see cref="RejectionAnswer"/> rewrites into a Kubo JSON error, and everything written after a stream was cut
/// (<see cref="KestrelRejections.ConnectionState.Cut"/>: Kestrel's chunked terminator), which is dropped.
/// </summary>
internal sealed class RejectionRewritingStream(Stream inner, KestrelRejections.ConnectionState state) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (state.IsCut)
        {
            return ValueTask.CompletedTask;
        }

        return !state.InApplication && RejectionAnswer.TryRewrite(buffer.Span, out var answer)
            ? inner.WriteAsync(answer, cancellationToken)
            : inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (state.IsCut)
        {
            return;
        }

        if (!state.InApplication && RejectionAnswer.TryRewrite(buffer, out var answer))
        {
            inner.Write(answer);
        }
        else
        {
            inner.Write(buffer);
        }
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
