using CompositeGateway.Clusters;
using CompositeGateway.Configuration;

namespace CompositeGateway.Underclusters;

/// <summary>
/// One status poller per undercluster, shared by every pin wait. Each CID someone waits on is first asked about in a
/// fresh round (<see cref="FreshGap"/> after the last round at the earliest: a pin the undercluster completes at once is
/// answered then, not at the next tick), then <see cref="RoundGap"/> later. While the wait is young (its first
/// <see cref="QuickFor"/>) it is asked again at delays doubling up to <see cref="QuickCap"/>, so a pin that takes a few
/// seconds is answered within tens of milliseconds of being pinned; after that the delays double up to
/// <see cref="PinPathOptions.PollInterval"/>.
/// <para>
/// Two kinds of check keep the request rate bounded whatever the number of waits. A CID is <em>owed</em> a check
/// <see cref="PinPathOptions.PollInterval"/> after its last one (and its first check is owed): every owed CID is asked
/// in the next full round. The quicker checks in between are extras: a full round adds at most one batch of them, most
/// overdue first. Rounds batch CIDs by <see cref="PinPathOptions.PollBatchSize"/> CIDs and <see cref="PinPathOptions.PollBatchChars"/>
/// characters, one request per batch, one batch at a time, never overlap, and full rounds start at least <see cref="RoundGap"/>
/// after the previous one started (not ended: a round's own duration would otherwise add to every wait's next check). So the
/// undercluster sees at most 1 / <see cref="RoundGap"/> full rounds a second, each of ⌈owed CIDs / batch size⌉ requests plus
/// one of quick checks: with W waits, about W / (batch × poll_interval) + 50 requests a second. Between them, fresh rounds
/// ask one batch of fresh waits (never checked since they started) and nothing else, at least <see cref="FreshGap"/> after
/// any round: only while new waits arrive, never more than one request per new wait. Every round starts at least
/// <see cref="FreshGap"/> after the last: at most 1 / <see cref="FreshGap"/> rounds a second in all (about 150 fresh
/// beside 50 full ones). A few dozen young waits all get their quick checks; ten thousand share one batch a round (each is still asked at least once per
/// interval). Several waits on one CID cost one entry. The loop starts with the first subscription and idles cheaply
/// without any.
/// </para>
/// </summary>
internal sealed class StatusPoller : IAsyncDisposable
{
    private readonly IPinStatusSource _source;
    private readonly PinPathOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _observers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    // The loop's current sleep and when it ends: a subscription due earlier cuts it short. Guarded by _observers.
    private CancellationTokenSource? _sleep;
    private DateTimeOffset _sleepUntil = DateTimeOffset.MaxValue;

    // When the last round of any kind, and the last full one, started (PollNextAsync's choice). Guarded by _observers.
    private DateTimeOffset _lastRound = DateTimeOffset.MinValue;
    private DateTimeOffset _lastFull = DateTimeOffset.MinValue;
    private long _requests;
    private long _rounds;

    public StatusPoller(IPinStatusSource source, PinPathOptions options, TimeProvider time, ILogger logger)
    {
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The shortest gap between two full rounds, and the delay between a new wait's first check and its second. A new
    /// wait is asked about in the next round rather than this long after it started: under load the rounds' gap already
    /// batches the CIDs of many pin/adds arriving together, and a fixed delay on top only added its length to every pin
    /// the undercluster completes at once (a quarter of a pin/add's time at 64 concurrent pins, pin-delay 0).
    /// </summary>
    public static readonly TimeSpan RoundGap = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The shortest gap between two rounds when the second asks only about fresh waits (never checked since they
    /// started). A pin/add that has just written its pin waits for its first check, and with <see cref="RoundGap"/> alone
    /// that check came up to a whole gap later: at 64 concurrent pin/adds every pin waited out about one gap, so the
    /// gateway's pins/s was 64 / <see cref="RoundGap"/> however fast the undercluster. A fresh round holds at most one
    /// batch, so it adds at most 1 / <see cref="FreshGap"/> requests a second, and never more than one per new wait.
    /// </summary>
    public static readonly TimeSpan FreshGap = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Longest delay between checks of a young wait. A pin is answered on average half of this after the undercluster
    /// reports it pinned (plus one status request). The quick checks share one batch a round whatever this is, so it
    /// moves the request rate only while fewer young waits than a batch are polled (at most one request a round then).
    /// </summary>
    public static readonly TimeSpan QuickCap = TimeSpan.FromMilliseconds(25);

    /// <summary>How long a wait counts as young: pins of small content complete within seconds when they complete at all quickly.</summary>
    public static readonly TimeSpan QuickFor = TimeSpan.FromSeconds(5);

    /// <summary>No loop: rounds happen only when a test calls <see cref="PollDueAsync"/> or <see cref="PollOnceAsync"/>.</summary>
    internal bool Manual { get; init; }

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

    /// <summary>
    /// Starts delivering <paramref name="cid"/>'s status to <paramref name="observer"/>, first in the next round (a CID
    /// already polled goes back to quick checks: a new wait usually follows a new write); dispose to stop.
    /// </summary>
    public IDisposable Subscribe(string cid, IStatusObserver observer)
    {
        lock (_observers)
        {
            var gap = Gap;
            var now = _time.GetUtcNow();
            var due = now;
            // Half the gap, doubled after the first check: the second comes one gap after the first.
            var first = gap / 2;
            if (!_observers.TryGetValue(cid, out var entry))
            {
                entry = new Entry { Due = due, Owed = due, Backoff = first, Since = now, Fresh = true };
                _observers[cid] = entry;
            }
            else
            {
                // A new wait usually follows a new write: its first check is as prompt as a new CID's.
                entry.Since = now;
                entry.Fresh = true;
                if (due < entry.Due)
                {
                    (entry.Due, entry.Backoff) = (due, first);
                }
            }

            entry.Observers.Add(observer);
            _loop ??= Manual ? Task.CompletedTask : Task.Run(() => RunAsync(_stopping.Token));
            var fresh = _lastRound + FreshGap;
            var wake = fresh > due ? fresh : due;
            if (wake < _sleepUntil && _sleep is { } sleep)
            {
                // Asynchronously: the loop's continuation must not run (and poll) on the subscriber's thread.
                _sleepUntil = wake;
                _ = sleep.CancelAsync();
            }
        }

        return new Subscription(this, cid, observer);
    }

    /// <summary>One round over every subscribed CID, due or not. Internal so tests can drive rounds without a clock.</summary>
    internal Task PollOnceAsync(CancellationToken cancellationToken) => PollAsync(Round.All, cancellationToken);

    /// <summary>
    /// One full round: the CIDs owed a check by now and at most one batch of those due a quick check (the loop runs it
    /// when the first is due, at least <see cref="RoundGap"/> after the last full round).
    /// </summary>
    internal Task PollDueAsync(CancellationToken cancellationToken) => PollAsync(Round.Due, cancellationToken);

    /// <summary>
    /// The round the loop runs when it wakes: a full round (<see cref="PollDueAsync"/>) once <see cref="RoundGap"/> has
    /// passed since the last one, else one batch of fresh waits (none before <see cref="FreshGap"/> after the last round).
    /// </summary>
    internal Task PollNextAsync(CancellationToken cancellationToken)
    {
        bool full;
        lock (_observers)
        {
            full = _time.GetUtcNow() >= _lastFull + Gap;
        }

        return PollAsync(full ? Round.Due : Round.Fresh, cancellationToken);
    }

    private TimeSpan Gap => _options.PollInterval < RoundGap ? _options.PollInterval : RoundGap;

    private async Task PollAsync(Round round, CancellationToken cancellationToken)
    {
        List<string> cids;
        lock (_observers)
        {
            var now = _time.GetUtcNow();
            _lastRound = now;
            if (round != Round.Fresh)
            {
                _lastFull = now;
            }

            cids = new List<string>(round == Round.All ? _observers.Count : 0);
            var quick = new List<(DateTimeOffset Due, string Cid)>();
            var room = new CidBatch(_options.PollBatchSize, _options.PollBatchChars);
            foreach (var (cid, entry) in _observers)
            {
                if (round == Round.Fresh)
                {
                    // One batch: past it, the next fresh or full round asks the rest (a fresh CID is owed).
                    if (entry.Fresh && !room.IsFullFor(cid))
                    {
                        room.Add(cid);
                        cids.Add(cid);
                    }
                }
                else if (round == Round.All || entry.Owed <= now)
                {
                    cids.Add(cid);
                }
                else if (entry.Due <= now)
                {
                    quick.Add((entry.Due, cid));
                }
            }

            // Extras: one batch of quick checks, the longest overdue first.
            quick.Sort((a, b) => a.Due.CompareTo(b.Due));
            room.Clear();
            foreach (var (_, cid) in quick)
            {
                if (room.IsFullFor(cid))
                {
                    break;
                }

                room.Add(cid);
                cids.Add(cid);
            }
        }

        if (cids.Count == 0)
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

        lock (_observers)
        {
            var now = _time.GetUtcNow();
            foreach (var cid in cids)
            {
                if (_observers.TryGetValue(cid, out var entry))
                {
                    var cap = now - entry.Since < QuickFor && QuickCap < _options.PollInterval ? QuickCap : _options.PollInterval;
                    entry.Backoff = entry.Backoff * 2 < cap ? entry.Backoff * 2 : cap;
                    entry.Due = now + entry.Backoff;
                    entry.Owed = now + _options.PollInterval;
                    entry.Fresh = false;
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
                await SleepUntilDueAsync(cancellationToken);
                await PollNextAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug in an observer or the source must not stop every wait in the process.
                UnderclusterLog.RoundCrashed(_logger, _source.Name, e);
                lock (_observers)
                {
                    (_lastRound, _lastFull) = (_time.GetUtcNow(), _time.GetUtcNow());
                }
            }
        }
    }

    /// <summary>
    /// Sleeps until the next round may run: a full one when the first CID is due, but not before <see cref="RoundGap"/>
    /// after the last full round; a fresh one when a fresh wait is there; neither before <see cref="FreshGap"/> after the
    /// last round. A sooner subscription wakes it.
    /// </summary>
    private async Task SleepUntilDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            CancellationTokenSource sleep;
            TimeSpan wait;
            lock (_observers)
            {
                var due = DateTimeOffset.MaxValue;
                var anyFresh = false;
                foreach (var entry in _observers.Values)
                {
                    due = entry.Due < due ? entry.Due : due;
                    anyFresh |= entry.Fresh;
                }

                // Every round starts at least a fresh gap after the last one: at most 1 / FreshGap rounds a second in all.
                var fresh = _lastRound + FreshGap;
                var full = _lastFull + Gap;
                var earliest = full < fresh ? fresh : full;
                var until = due < earliest ? earliest : due;
                if (anyFresh && fresh < until)
                {
                    until = fresh;
                }

                var now = _time.GetUtcNow();
                if (until <= now)
                {
                    return;
                }

                wait = until == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : until - now;
                sleep = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                (_sleep, _sleepUntil) = (sleep, until);
            }

            try
            {
                await Task.Delay(wait, _time, sleep.Token);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Woken by a subscription due sooner: recompute.
            }
            finally
            {
                lock (_observers)
                {
                    (_sleep, _sleepUntil) = (null, DateTimeOffset.MaxValue);
                }

                sleep.Dispose();
            }
        }
    }

    private void Dispatch(string cid, Action<IStatusObserver> deliver)
    {
        IStatusObserver[] targets;
        lock (_observers)
        {
            if (!_observers.TryGetValue(cid, out var entry))
            {
                return;
            }

            targets = [.. entry.Observers];
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
            if (_observers.TryGetValue(cid, out var entry) && entry.Observers.Remove(observer) && entry.Observers.Count == 0)
            {
                _observers.Remove(cid);
            }
        }
    }

    /// <summary>One polled CID: who waits on it, when it is next asked about (quick check, owed check), and the delay after that.</summary>
    private sealed class Entry
    {
        public List<IStatusObserver> Observers { get; } = [];

        /// <summary>When the next (quick) check is due; never after <see cref="Owed"/>.</summary>
        public DateTimeOffset Due { get; set; }

        /// <summary>When a check is owed: the first, then one <see cref="PinPathOptions.PollInterval"/> after the last.</summary>
        public DateTimeOffset Owed { get; set; }

        /// <summary>When the newest wait on this CID started: the CID gets quick checks for <see cref="QuickFor"/> after it.</summary>
        public DateTimeOffset Since { get; set; }

        public TimeSpan Backoff { get; set; }

        /// <summary>Not checked since its newest wait started: a fresh round may ask about it before the next full one.</summary>
        public bool Fresh { get; set; }
    }

    private enum Round
    {
        /// <summary>Every CID (tests).</summary>
        All,

        /// <summary>Owed CIDs and one batch of quick checks.</summary>
        Due,

        /// <summary>One batch of fresh CIDs.</summary>
        Fresh,
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
