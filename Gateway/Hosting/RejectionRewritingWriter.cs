using System.Buffers;
using System.IO.Pipelines;

namespace CompositeGateway.Hosting;

/// <summary>
/// The write side of a Kubo listener connection (<see cref="KestrelRejections"/>). While a request is in the application
/// every call goes straight to the transport's writer: Kestrel writes into the transport's own buffers, so a forwarded
/// 1 GiB <c>cat</c> is not copied once more (a stream wrapper in between cost a copy and an extra flush per write).
/// Only what Kestrel writes on its own while no request is in the application is held until its flush, so that a
/// bodiless error answer can be rewritten by <see cref="RejectionAnswer"/> into a Kubo JSON error. Everything written
/// after a stream was cut (<see cref="KestrelRejections.ConnectionState.Cut"/>: Kestrel's chunked terminator) is dropped.
/// </summary>
internal sealed class RejectionRewritingWriter(PipeWriter inner, KestrelRejections.ConnectionState state) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _held = new(256);

    /// <summary>Takes what is written after a cut (Kestrel's terminator: a few bytes); its written count is reset at every <see cref="Advance"/>.</summary>
    private readonly ArrayBufferWriter<byte> _dropped = new(256);

    /// <summary>Where the memory last handed out belongs, so that <see cref="Advance"/> commits it there.</summary>
    private Target _target;

    private enum Target
    {
        Transport,
        Held,
        Dropped,
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _target = Choose();
        return _target switch
        {
            Target.Held => _held.GetMemory(sizeHint),
            Target.Dropped => _dropped.GetMemory(sizeHint),
            _ => inner.GetMemory(sizeHint),
        };
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        switch (_target)
        {
            case Target.Held:
                _held.Advance(bytes);
                break;
            case Target.Dropped:
                _dropped.ResetWrittenCount();
                break;
            default:
                inner.Advance(bytes);
                break;
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
    private Target Choose() =>
        state.IsCut ? Target.Dropped : _held.WrittenCount > 0 || !state.InApplication ? Target.Held : Target.Transport;

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
