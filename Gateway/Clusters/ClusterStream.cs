using System.Runtime.CompilerServices;

namespace CompositeGateway.Clusters;

/// <summary>
/// A streamed undercluster answer (NDJSON, docs/protocol/cluster-rest.md §1.3): enumerate it once with <c>await foreach</c>; it
/// never throws for upstream failures. Enumeration simply ends, and <see cref="Completion"/> says
/// whether the stream ended cleanly (all items delivered, empty <c>X-Stream-Error</c> trailer) or
/// where it failed — before the first item (connect, status, circuit) or mid-way (broken
/// connection, undecodable item, trailer error). Consumers that forward items as they arrive must
/// therefore check <see cref="Completion"/> before treating the sequence as complete.
/// </summary>
internal sealed class ClusterStream<T> : IAsyncEnumerable<T>
{
    private readonly Func<StreamOutcome, CancellationToken, IAsyncEnumerable<T>> _producer;
    private readonly CancellationToken _callToken;
    private readonly TaskCompletionSource<ClusterResult<StreamCompleted>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<ClusterFailure> _stoppedEarly;
    private int _enumerated;

    internal ClusterStream(Func<StreamOutcome, CancellationToken, IAsyncEnumerable<T>> producer, Func<ClusterFailure> stoppedEarly, CancellationToken callToken)
    {
        _producer = producer;
        _stoppedEarly = stoppedEarly;
        _callToken = callToken;
    }

    /// <summary>
    /// Completes when enumeration ends: success with the item count, or the failure. A consumer that
    /// stops early (break, exception) gets <see cref="ClusterFailureKind.Cancelled"/>: the stream's
    /// end, and so its trailer, was never seen.
    /// </summary>
    public Task<ClusterResult<StreamCompleted>> Completion => _completion.Task;

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("a cluster stream can be enumerated only once");
        }

        return RunAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Reads the whole stream into a list; only for answers known to be small (e.g. <c>/peers</c>).</summary>
    public async Task<ClusterResult<IReadOnlyList<T>>> CollectAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await foreach (var item in WithCancellation(cancellationToken))
        {
            items.Add(item);
        }

        var completion = await Completion;
        return completion.IsSuccess ? items : completion.Failure;
    }

    public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) =>
        TaskAsyncEnumerableExtensions.WithCancellation(this, cancellationToken);

    private async IAsyncEnumerable<T> RunAsync([EnumeratorCancellation] CancellationToken enumeratorToken)
    {
        using var linked = _callToken.CanBeCanceled && enumeratorToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_callToken, enumeratorToken)
            : null;
        var token = linked?.Token ?? (enumeratorToken.CanBeCanceled ? enumeratorToken : _callToken);
        var outcome = new StreamOutcome();
        long items = 0;
        var reachedEnd = false;
        var producer = _producer(outcome, token).GetAsyncEnumerator(token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await producer.MoveNextAsync();
                }
                catch (Exception e)
                {
                    // Upstream failures arrive through the outcome; an exception here is a bug, kept visible.
                    _completion.TrySetException(e);
                    throw;
                }

                if (!more)
                {
                    break;
                }

                items++;
                yield return producer.Current;
            }

            reachedEnd = true;
        }
        finally
        {
            await producer.DisposeAsync();
            _completion.TrySetResult(
                !reachedEnd ? _stoppedEarly()
                : outcome.Failure is { } failure ? failure
                : new StreamCompleted(items));
        }
    }
}

/// <summary>Where a stream's producer records why it stopped; null means it reached a clean end.</summary>
internal sealed class StreamOutcome
{
    public ClusterFailure? Failure { get; set; }

    /// <summary>The failure came from the <c>X-Stream-Error</c> trailer: every item before it was delivered intact.</summary>
    public bool FromTrailer { get; set; }
}
