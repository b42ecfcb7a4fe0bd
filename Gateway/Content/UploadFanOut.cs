using System.Buffers;
using System.IO.Pipelines;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;

namespace CompositeGateway.Content;

/// <summary>
/// Sends one upload to one undercluster: <paramref name="body"/> is the request body (chunked, fed while the
/// producer writes); returns null when the undercluster accepted the whole upload, or why it did not.
/// </summary>
internal delegate Task<GatewayFailure?> UploadSender(PlacementMember target, HttpContent body, CancellationToken cancellationToken);

/// <summary>
/// One producer, N upstream request bodies: every byte written goes to every target's upload, each its own
/// HTTP request started at once. Memory is bounded by <see cref="PauseThreshold"/> per target; a write returns
/// when every target has room again, so the slowest target sets the pace (backpressure reaches the client).
/// <para>
/// All or nothing: the first target that fails (or answers before the upload ended) aborts every upload and
/// the next <see cref="WriteAsync"/> or <see cref="CompleteAsync"/> throws <see cref="GatewayFailureException"/>.
/// Disposing without a successful <see cref="CompleteAsync"/> (client gone, bad input) breaks every upstream
/// body and cancels the requests, so no undercluster sees a clean end of a partial upload.
/// </para>
/// </summary>
internal sealed class UploadFanOut : IAsyncDisposable
{
    /// <summary>Bytes buffered per target before <see cref="WriteAsync"/> waits for it.</summary>
    public const long PauseThreshold = 1 << 20;

    private readonly IReadOnlyList<Upload> _uploads;
    private readonly CancellationTokenSource _abort;
    private GatewayFailure? _failure;
    private bool _completed;

    private UploadFanOut(IReadOnlyList<PlacementMember> targets, UploadSender send, CancellationToken cancellationToken)
    {
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var uploads = new List<Upload>(targets.Count);
        foreach (var target in targets)
        {
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseThreshold, resumeWriterThreshold: PauseThreshold / 2, useSynchronizationContext: false));
            uploads.Add(new Upload(target, pipe));
        }

        _uploads = uploads;
        foreach (var upload in _uploads)
        {
            upload.Task = RunAsync(upload, send);
        }
    }

    public IReadOnlyList<PlacementMember> Targets => [.. _uploads.Select(u => u.Target)];

    /// <summary>Starts one upload per target (the requests go out at once; bodies follow the writes).</summary>
    public static UploadFanOut Start(IReadOnlyList<PlacementMember> targets, UploadSender send, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        return new UploadFanOut(targets, send, cancellationToken);
    }

    /// <summary>Copies <paramref name="data"/> to every upload; returns when every target has room for more.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Write(data.Span);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Buffers <paramref name="data"/> for every upload without waiting; <see cref="FlushAsync"/> sends it.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        ThrowIfFailed();
        foreach (var upload in _uploads)
        {
            upload.Pipe.Writer.Write(data);
        }
    }

    /// <summary>Sends what was written; returns when every target has room for more (the slowest sets the pace).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        try
        {
            foreach (var upload in _uploads)
            {
                await upload.Pipe.Writer.FlushAsync(linked.Token);
            }
        }
        catch (OperationCanceledException) when (_failure is not null && !cancellationToken.IsCancellationRequested)
        {
            // A target failed while we waited for room: reported below.
        }

        ThrowIfFailed();
    }

    /// <summary>
    /// Ends every upload cleanly and waits for every target's answer. Returns when all accepted the whole
    /// upload; throws <see cref="GatewayFailureException"/> naming the first that did not.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        _completed = true;
        foreach (var upload in _uploads)
        {
            upload.Ended = true;
            await upload.Pipe.Writer.CompleteAsync();
        }

        try
        {
            await Task.WhenAll(_uploads.Select(u => u.Task!)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _completed = false;
            throw;
        }

        ThrowIfFailed();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed || _failure is not null)
        {
            var aborted = new OperationCanceledException("the upload was abandoned before it ended");
            foreach (var upload in _uploads.Where(u => !u.Ended))
            {
                upload.Ended = true;
                await upload.Pipe.Writer.CompleteAsync(aborted);
            }

            await _abort.CancelAsync();
        }

        try
        {
            await Task.WhenAll(_uploads.Select(u => u.Task!));
        }
        catch (OperationCanceledException)
        {
            // An abandoned upload's sender may end by cancellation.
        }

        _abort.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new GatewayFailureException(failure);
        }
    }

    private async Task RunAsync(Upload upload, UploadSender send)
    {
        GatewayFailure? failure;
        try
        {
            using var body = new PipeBodyContent(upload.Pipe.Reader);
            failure = await send(upload.Target, body, _abort.Token);
            if (failure is null && !upload.Ended)
            {
                // Accepting an upload that never ended would mean it stored something other than what was sent.
                failure = new GatewayFailure($"undercluster \"{upload.Target.Name}\" answered before the upload ended", Transient: true);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            failure = _failure ?? new GatewayFailure($"upload to undercluster \"{upload.Target.Name}\" was cancelled", Transient: true);
        }


        // The first failure wins and stops everyone: a producer blocked on this target's full pipe wakes up.
        if (failure is not null && Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            await _abort.CancelAsync();
        }
    }

    private sealed class Upload(PlacementMember target, Pipe pipe)
    {
        public PlacementMember Target { get; } = target;

        public Pipe Pipe { get; } = pipe;

        public Task? Task { get; set; }

        /// <summary>The producer ended this body (cleanly or not); an answer after that is an answer to the whole upload.</summary>
        public bool Ended
        {
            get => Volatile.Read(ref _ended);
            set => Volatile.Write(ref _ended, value);
        }

        private bool _ended;
    }
}
