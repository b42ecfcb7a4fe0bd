using System.Buffers;
using System.IO.Pipelines;

namespace CompositeGateway.Hosting;

/// <summary>
/// The write side of a Kubo listener connection (<see cref="KestrelRejections"/>). While a request is in the application
/// every call goes straight to the transport's writer: Kestrel writes into the transport's own buffers, so a forwarded
/// 1 GiB <c>cat</c> is not copied once more (a stream wrapper in between cost a copy and an extra flush per write).
/// Only what Kestrel writes on its own while no request is in the application is held until its flush, so that a
/// bodiless error answer can be rewritten by <see cref="RejectionAnswer"/> into a Kubo JSON error.
/// </summary>
internal sealed class RejectionRewritingWriter(PipeWriter inner, KestrelRejections.ConnectionState state) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _held = new(256);

    /// <summary>Where the memory last handed out belongs, so that <see cref="Advance"/> commits it there.</summary>
    private bool _holding;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _holding = Holds();
        return _holding ? _held.GetMemory(sizeHint) : inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        _holding = Holds();
        return _holding ? _held.GetSpan(sizeHint) : inner.GetSpan(sizeHint);
    }

    public override void Advance(int bytes)
    {
        if (_holding)
        {
            _held.Advance(bytes);
        }
        else
        {
            inner.Advance(bytes);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        // The transport's writer belongs to the connection, which completes it; only held bytes are handed on.
        Release();
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return ValueTask.CompletedTask;
    }

    // Held bytes stay held until flushed, so that what follows them is not written ahead of them.
    private bool Holds() => _held.WrittenCount > 0 || !state.InApplication;

    private void Release()
    {
        if (_held.WrittenCount == 0)
        {
            return;
        }

        var written = _held.WrittenSpan;
        inner.Write(RejectionAnswer.TryRewrite(written, out var answer) ? answer : written);
        _held.ResetWrittenCount();
    }
}
