using CompositeGateway.Clusters;
using CompositeGateway.Configuration;

namespace CompositeGateway.Underclusters;

/// <summary>
/// One status poller per undercluster, shared by every pin wait: each <see cref="PinPathOptions.PollInterval"/>
/// it asks about every CID someone waits on, in batches bounded by <see cref="PinPathOptions.PollBatchSize"/>
/// CIDs and <see cref="PinPathOptions.PollBatchChars"/> characters, one request per batch, one batch at a time.
/// So the undercluster sees at most ⌈waiting CIDs / batch size⌉ status requests per interval however many
/// pins wait, and several waits on one CID cost one entry. A round slower than the interval delays the next
/// (rounds never overlap). The loop starts with the first subscription and idles cheaply without any.
/// </summary>
internal sealed class StatusPoller : IAsyncDisposable
{
    private readonly IPinStatusSource _source;
    private readonly PinPathOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, List<IStatusObserver>> _observers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private long _requests;
    private long _rounds;

    public StatusPoller(IPinStatusSource source, PinPathOptions options, TimeProvider time, ILogger logger)
    {
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Status requests sent so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Rounds that had at least one CID to ask about.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>CIDs currently polled.</summary>
    public int Count
    {
        get
        {
            lock (_observers)
            {
                return _observers.Count;
            }
        }
    }

    /// <summary>Starts delivering <paramref name="cid"/>'s status to <paramref name="observer"/> from the next round on; dispose to stop.</summary>
    public IDisposable Subscribe(string cid, IStatusObserver observer)
    {
        lock (_observers)
        {
            if (!_observers.TryGetValue(cid, out var list))
            {
                list = [];
                _observers[cid] = list;
            }

            list.Add(observer);
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }

        return new Subscription(this, cid, observer);
    }

    /// <summary>One round: every subscribed CID asked once. Internal so tests can drive rounds without a clock.</summary>
    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        string[] cids;
        lock (_observers)
        {
            cids = [.. _observers.Keys];
        }

        if (cids.Length == 0)
        {
            return;
        }

        Interlocked.Increment(ref _rounds);
        foreach (var batch in CidBatch.Split(cids, _options.PollBatchSize, _options.PollBatchChars))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            Interlocked.Increment(ref _requests);
            var failure = await _source.FetchStatusAsync(
                batch,
                status =>
                {
                    if (status.Cid is { } cid && seen.Add(cid))
                    {
                        Dispatch(cid, observer => observer.OnStatus(status));
                    }
                },
                cancellationToken);

            if (failure is not null)
            {
                UnderclusterLog.PollFailed(_logger, _source.Name, batch.Count, failure.Message);
            }

            foreach (var cid in batch)
            {
                if (!seen.Contains(cid))
                {
                    var missing = failure ?? new GatewayFailure($"undercluster \"{_source.Name}\" left {cid} out of its status answer", Transient: true);
                    Dispatch(cid, observer => observer.OnPollFailed(missing));
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task? loop;
        lock (_observers)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PollInterval, _time, cancellationToken);
                await PollOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug in an observer or the source must not stop every wait in the process.
                UnderclusterLog.RoundCrashed(_logger, _source.Name, e);
            }
        }
    }

    private void Dispatch(string cid, Action<IStatusObserver> deliver)
    {
        IStatusObserver[] targets;
        lock (_observers)
        {
            if (!_observers.TryGetValue(cid, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        foreach (var observer in targets)
        {
            try
            {
                deliver(observer);
            }
            catch (Exception e)
            {
                UnderclusterLog.ObserverFailed(_logger, _source.Name, cid, e);
            }
        }
    }

    private void Unsubscribe(string cid, IStatusObserver observer)
    {
        lock (_observers)
        {
            if (_observers.TryGetValue(cid, out var list) && list.Remove(observer) && list.Count == 0)
            {
                _observers.Remove(cid);
            }
        }
    }

    private sealed class Subscription(StatusPoller poller, string cid, IStatusObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                poller.Unsubscribe(cid, observer);
            }
        }
    }
}
