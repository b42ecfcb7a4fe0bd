using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>
/// A pin waited on in several underclusters: pinned once <c>required</c> of the waits succeed, failed once so
/// many failed that <c>required</c> can no longer be reached (the failures' texts, each naming its
/// undercluster, become the message). The remaining waits are then stopped.
/// </summary>
internal sealed class QuorumPinWait : IPinWait
{
    private readonly IReadOnlyList<IPinWait> _waits;

    public QuorumPinWait(IReadOnlyList<IPinWait> waits, int required, CancellationTokenSource stopWaits)
    {
        _waits = waits;
        Completion = RunAsync(waits, required, stopWaits);
    }

    public Task<GatewayFailure?> Completion { get; }

    public int PinnedPeers => _waits.Sum(w => w.PinnedPeers);

    private static async Task<GatewayFailure?> RunAsync(IReadOnlyList<IPinWait> waits, int required, CancellationTokenSource stopWaits)
    {
        try
        {
            var pending = waits.Select(w => w.Completion).ToList();
            var succeeded = 0;
            var failures = new List<GatewayFailure>();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                var failure = done.IsCanceled ? new GatewayFailure("pin wait cancelled", Transient: true) : await done;
                if (failure is null)
                {
                    if (++succeeded >= required)
                    {
                        return null;
                    }
                }
                else
                {
                    failures.Add(failure);
                    if (waits.Count - failures.Count < required)
                    {
                        return Combine(failures, required, waits.Count);
                    }
                }
            }

            return Combine(failures, required, waits.Count);
        }
        finally
        {
            // Waits beyond the quorum (or hopeless ones) stop polling; their pins stay recorded.
            await stopWaits.CancelAsync();
            stopWaits.Dispose();
        }
    }

    private static GatewayFailure Combine(List<GatewayFailure> failures, int required, int count) =>
        failures.Count == 1 && count == 1
            ? failures[0]
            : new GatewayFailure(
                $"pinned in fewer than {required} of {count} underclusters: " + string.Join("; ", failures.Select(f => f.Message)),
                failures.All(f => f.Transient));
}

/// <summary>
/// <c>placement: failover</c>: a pin waited on in one undercluster that becomes unreachable while waiting
/// (a transient failure: <c>unreachable_after</c>, timeouts) moves to the next healthy undercluster and is
/// waited on there. A refusal (<c>pin_error</c>) is not moved: it would fail the same way elsewhere.
/// </summary>
internal sealed class FailoverPinWait : IPinWait
{
    private IPinWait _current;

    public FailoverPinWait(IPinWait first, Func<GatewayFailure, Task<(IPinWait? Next, GatewayFailure? Failure)>> next)
    {
        _current = first;
        Completion = RunAsync(next);
    }

    public Task<GatewayFailure?> Completion { get; }

    public int PinnedPeers => Volatile.Read(ref _current).PinnedPeers;

    private async Task<GatewayFailure?> RunAsync(Func<GatewayFailure, Task<(IPinWait? Next, GatewayFailure? Failure)>> next)
    {
        while (true)
        {
            var wait = Volatile.Read(ref _current);
            var failure = await wait.Completion;
            if (failure is null || !failure.Transient)
            {
                return failure;
            }

            var (moved, problem) = await next(failure);
            if (moved is null)
            {
                return problem ?? failure;
            }

            Volatile.Write(ref _current, moved);
        }
    }
}
