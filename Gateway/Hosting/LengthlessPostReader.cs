using System.IO.Pipelines;

namespace CompositeGateway.Hosting;

/// <summary>
/// The read side of a Kubo listener connection (<see cref="KestrelRejections"/>): the first request head is read
/// through <see cref="LengthlessPostStream"/>, which may insert <c>Content-Length: 0</c>; once that head has passed and
/// everything read through it has been consumed, reads go straight to the transport's reader, so later requests and
/// request bodies are not copied once more.
/// </summary>
internal sealed class LengthlessPostReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly LengthlessPostStream _watch;
    private readonly PipeReader _watched;
    private bool _direct;

    /// <summary>The buffer end of the last read through <see cref="_watched"/>: consumed up to it, that reader is empty.</summary>
    private SequencePosition _watchedEnd;

    public LengthlessPostReader(PipeReader inner)
    {
        _inner = inner;
        _watch = new LengthlessPostStream(inner.AsStream(leaveOpen: true));
        _watched = Create(_watch, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_direct)
        {
            return await _inner.ReadAsync(cancellationToken);
        }

        var result = await _watched.ReadAsync(cancellationToken);
        _watchedEnd = result.Buffer.End;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_direct)
        {
            return _inner.TryRead(out result);
        }

        if (!_watched.TryRead(out result))
        {
            return false;
        }

        _watchedEnd = result.Buffer.End;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_direct)
        {
            _inner.AdvanceTo(consumed, examined);
            return;
        }

        _watched.AdvanceTo(consumed, examined);
        if (_watch.HeadDone && consumed.Equals(_watchedEnd))
        {
            // Nothing is left in the watching reader, and the stream under it has stopped rewriting: from here on the
            // transport's reader holds every byte not yet read.
            _direct = true;
        }
    }

    public override void CancelPendingRead()
    {
        if (_direct)
        {
            _inner.CancelPendingRead();
        }
        else
        {
            _watched.CancelPendingRead();
        }
    }

    public override void Complete(Exception? exception = null)
    {
        // The transport's reader belongs to the connection, which completes it.
        _watched.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null) => _watched.CompleteAsync(exception);
}
