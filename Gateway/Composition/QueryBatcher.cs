using CompositeGateway.Clusters;
using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary>
/// Pin queries to one undercluster (<c>pin/ls?arg=</c>) share requests when many come at once
/// (docs/design/pin-path.md, "Queries at once share one status request"). While fewer than <see cref="Lanes"/>
/// requests are out, a query is asked on its own (<c>GET /pins/{cid}</c>), so a lone query waits for nothing. A query
/// that finds every lane busy joins the next batch, which goes as one <c>GET /pins?cids=…</c> when a lane comes free:
/// the request is always sent after the query arrived, so no answer is older than its question, and the undercluster
/// answers each CID of a batch in parallel (docs/protocol/cluster-rest.md §5.8). Nothing is kept after the answer.
/// </summary>
internal sealed class QueryBatcher
{
    /// <summary>
    /// Undercluster requests a gateway keeps out for queries at once. Four keep a small burst unbatched; at 64 queries
    /// at once the batches hold about 16 CIDs each. One would batch more and was faster on the emulator, but then a
    /// single slow status answer would hold every other query behind it (docs/development/performance.md, "Tenth pass").
    /// </summary>
    public const int Lanes = 4;

    private readonly Func<Cid, CancellationToken, Task<PlacedPin>> _one;
    private readonly Func<IReadOnlyList<string>, Action<string, PlacedPin>, Task<Dictionary<string, PlacedPin>>> _many;
    private readonly int _maxCount;
    private readonly int _maxChars;
    private readonly Lock _gate = new();
    private readonly LinkedList<Batch> _queued = new();
    private int _busy;

    /// <param name="one">Asks the undercluster about one CID.</param>
    /// <param name="many">
    /// Asks about a batch in one request, under a deadline of its own; answers every CID it is given (a failure answers
    /// each with it), and may pass on some answers earlier, as their items arrive: the first answer for a CID is the one
    /// its queries get.
    /// </param>
    /// <param name="maxCount">Most CIDs per batch.</param>
    /// <param name="maxChars">Most characters of CIDs, commas included, per batch.</param>
    public QueryBatcher(Func<Cid, CancellationToken, Task<PlacedPin>> one, Func<IReadOnlyList<string>, Action<string, PlacedPin>, Task<Dictionary<string, PlacedPin>>> many, int maxCount, int maxChars)
    {
        _one = one;
        _many = many;
        _maxCount = maxCount;
        _maxChars = maxChars;
    }

    public Task<PlacedPin> InspectAsync(Cid cid, CancellationToken cancellationToken)
    {
        Task<PlacedPin>? joined = null;
        lock (_gate)
        {
            if (_busy < Lanes)
            {
                _busy++;
            }
            else
            {
                joined = Join(cid.ToString());
            }
        }

        return joined is null ? AskOneAsync(cid, cancellationToken) : joined.WaitAsync(cancellationToken);
    }

    private Task<PlacedPin> Join(string cid)
    {
        foreach (var queued in _queued)
        {
            if (queued.Waiting.TryGetValue(cid, out var same))
            {
                return same.Task;
            }
        }

        var batch = _queued.Last?.Value;
        if (batch is null || batch.Room.IsFullFor(cid))
        {
            batch = new Batch(new CidBatch(_maxCount, _maxChars));
            _queued.AddLast(batch);
        }

        var answer = new TaskCompletionSource<PlacedPin>(TaskCreationOptions.RunContinuationsAsynchronously);
        batch.Room.Add(cid);
        batch.Waiting.Add(cid, answer);
        return answer.Task;
    }

    private async Task<PlacedPin> AskOneAsync(Cid cid, CancellationToken cancellationToken)
    {
        try
        {
            return await _one(cid, cancellationToken);
        }
        finally
        {
            PassLaneOn();
        }
    }

    /// <summary>A lane that came free takes the oldest waiting batch, if any.</summary>
    private void PassLaneOn()
    {
        Batch next;
        lock (_gate)
        {
            if (_queued.First is not { } oldest)
            {
                _busy--;
                return;
            }

            next = oldest.Value;
            _queued.RemoveFirst();
        }

        _ = AskManyAsync(next);
    }

    /// <summary>
    /// Not cancelled by any one caller: the others still wait for it. A caller that gives up stops waiting
    /// (<see cref="Task.WaitAsync(CancellationToken)"/>); the batch itself has a deadline of its own (<c>many</c>'s).
    /// </summary>
    private async Task AskManyAsync(Batch batch)
    {
        // Off the stack of the lane that came free: batches failing at once would otherwise start each other, nested.
        await Task.Yield();
        try
        {
            var answers = await _many([.. batch.Waiting.Keys], batch.Answer);
            foreach (var (cid, answer) in answers)
            {
                batch.Answer(cid, answer);
            }

            batch.Fail(new InvalidOperationException("the batched status request left a CID unanswered"));
        }
        catch (Exception e)
        {
            batch.Fail(e);
        }
        finally
        {
            PassLaneOn();
        }
    }

    private sealed record Batch(CidBatch Room)
    {
        public Dictionary<string, TaskCompletionSource<PlacedPin>> Waiting { get; } = new(StringComparer.Ordinal);

        /// <summary>Only once the batch is sent: nothing joins it any more, so the map is read without the lock.</summary>
        public void Answer(string cid, PlacedPin answer)
        {
            if (Waiting.TryGetValue(cid, out var waiting))
            {
                waiting.TrySetResult(answer);
            }
        }

        /// <summary>Every query of the batch not answered yet fails with <paramref name="failure"/>.</summary>
        public void Fail(Exception failure)
        {
            foreach (var waiting in Waiting.Values)
            {
                waiting.TrySetException(failure);
            }
        }
    }
}
