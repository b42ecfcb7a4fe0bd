namespace CompositeGateway.Composition;

/// <summary>
/// <c>repo/stat</c> calls that arrive while an answer is being worked out wait for that answer instead of asking the
/// underclusters again (docs/design/repo-stat.md, "Concurrent calls"). The <c>freespace</c> metrics behind it are
/// the undercluster peers' informer values, refreshed on an interval, so an answer started a moment earlier is as
/// fresh as one started now. Nothing is kept once the shared call has ended: the next call asks again.
/// </summary>
/// <remarks>
/// The shared call runs without any caller's token, so a caller that goes away (its token cancelled) stops waiting
/// without cancelling the answer the others wait for; the undercluster calls inside are bounded by their own
/// timeouts. A failure, or an exception, reaches every caller that waited for it.
/// </remarks>
internal sealed class SharedSpaceReporter(ISpaceReporter inner) : ISpaceReporter
{
    private readonly Lock _gate = new();
    private Task<SpaceReportResult>? _inFlight;

    public Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<SpaceReportResult>? started = null;
        Task<SpaceReportResult> shared;
        lock (_gate)
        {
            if (_inFlight is null)
            {
                started = new TaskCompletionSource<SpaceReportResult>();
                _inFlight = started.Task;
            }

            shared = _inFlight;
        }

        if (started is not null)
        {
            // Not awaited here: the caller that starts the call waits for it like the others, through WaitAsync.
            _ = AnswerAsync(started);
        }

        return shared.WaitAsync(cancellationToken);
    }

    private async Task AnswerAsync(TaskCompletionSource<SpaceReportResult> answer)
    {
        var call = inner.GetSpaceAsync(CancellationToken.None);
        await ((Task)call).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Forget the call before answering, so that a caller arriving from here on starts a new one.
        lock (_gate)
        {
            _inFlight = null;
        }

        answer.SetFromTask(call);
    }
}
