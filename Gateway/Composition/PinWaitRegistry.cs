using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// The pin waits running in one undercluster, by CID, so that an unpin can end the waits on its CID before it
/// touches ownership (a wait would otherwise re-establish the pin being removed).
/// </summary>
internal sealed class PinWaitRegistry(Undercluster undercluster, PinPathOptions options, Ownership ownership, TimeProvider time, ILogger logger, GatewayMetrics? metrics = null)
{
    private readonly Dictionary<Cid, List<PinWait>> _waits = [];

    private string Name => undercluster.Name;

    /// <summary>
    /// Waits on a pin just written (at once done under <c>pin_wait: accepted</c>); <paramref name="reestablish"/> puts a vanished pin back.
    /// <paramref name="written"/> is how long our read and write took, from which
    /// <see cref="PinWait.SettleAfter"/> gives the settle time before a status may end the wait (docs/design/ownership.md rule 2),
    /// none in an undercluster no other gateway writes to (<see cref="Undercluster.SettlesPinWaits"/>).
    /// </summary>
    public IPinWait Start(Cid cid, PinMode mode, ClusterPin pin, TimeSpan written, Func<PinWait, Task> reestablish, CancellationToken cancellationToken)
    {
        if (options.PinWait == PinWaitMode.Accepted)
        {
            return CompletedPinWait.Success;
        }

        var wait = new PinWait(cid, mode, pin, Name, options, ownership, time, reestablish) { Settle = undercluster.SettlesPinWaits ? PinWait.SettleAfter(written) : TimeSpan.Zero };
        var started = time.GetTimestamp();
        metrics?.PinWaitStarted(Name);
        lock (_waits)
        {
            if (!_waits.TryGetValue(cid, out var list))
            {
                list = [];
                _waits[cid] = list;
            }

            list.Add(wait);
        }

        _ = wait.Completion.ContinueWith(
            done =>
            {
                lock (_waits)
                {
                    if (_waits.TryGetValue(cid, out var list) && list.Remove(wait) && list.Count == 0)
                    {
                        _waits.Remove(cid);
                    }
                }

                metrics?.PinWaitEnded(Name, done.IsCanceled ? PinWaitOutcomes.Cancelled : wait.Outcome, time.GetElapsedTime(started));
                CompositionLog.WaitEnded(logger, cid, Name, done.IsCanceled ? "cancelled" : done.Result?.Message ?? "pinned");
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        wait.Start(undercluster.Poller, cancellationToken);
        return wait;
    }

    /// <summary>Ends every wait on <paramref name="cid"/> with <paramref name="reason"/>.</summary>
    public void End(Cid cid, GatewayFailure reason)
    {
        PinWait[] waits;
        lock (_waits)
        {
            waits = _waits.TryGetValue(cid, out var list) ? [.. list] : [];
        }

        foreach (var wait in waits)
        {
            wait.Complete(reason);
        }
    }
}
