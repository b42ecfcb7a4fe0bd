using System.Collections.Concurrent;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CompositeGateway.Tests.Composition;

public sealed class StatusPollerTests
{
    private static readonly PinPathOptions Options = new() { PollInterval = TimeSpan.FromSeconds(1), PollBatchSize = 100 };

    [Test]
    public void Batches_ManyCids_BoundedByCount()
    {
        var cids = Enumerable.Range(0, 250).Select(i => "cid" + i).ToList();

        var sizes = CidBatch.Split(cids, 100, 100_000).Select(b => b.Count).ToList();

        Assert.That(sizes, Is.EqualTo(new[] { 100, 100, 50 }));
    }

    [Test]
    public void Batches_LongCids_BoundedByCharactersIncludingCommas()
    {
        var cids = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 59)).ToList();

        var batches = CidBatch.Split(cids, 100, 200).ToList();

        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 3, 3, 3, 1 }));
        Assert.That(batches.All(b => string.Join(',', b).Length <= 200), Is.True);
    }

    [Test]
    public async Task PollOnceAsync_FiveHundredWaits_FiveRequestsAndEveryObserverServed()
    {
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, new FakeTimeProvider(), NullLogger.Instance) { Manual = true };
        var observers = Enumerable.Range(0, 500).Select(i => new RecordingObserver()).ToList();
        for (var i = 0; i < observers.Count; i++)
        {
            poller.Subscribe("cid" + i, observers[i]);
        }

        await poller.PollOnceAsync(CancellationToken.None);

        Assert.That(source.Calls.Select(c => c.Count), Is.EqualTo(new[] { 100, 100, 100, 100, 100 }));
        Assert.That(observers.All(o => o.Statuses.Count == 1 && o.Failures.Count == 0), Is.True);
    }

    [Test]
    public async Task PollOnceAsync_SameCidWaitedTwice_AskedOnceDeliveredTwice()
    {
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, new FakeTimeProvider(), NullLogger.Instance) { Manual = true };
        var first = new RecordingObserver();
        var second = new RecordingObserver();
        poller.Subscribe("cid", first);
        var subscription = poller.Subscribe("cid", second);

        await poller.PollOnceAsync(CancellationToken.None);
        subscription.Dispose();
        await poller.PollOnceAsync(CancellationToken.None);

        Assert.That(source.Calls.Select(c => c.Count), Is.EqualTo(new[] { 1, 1 }));
        Assert.That((first.Statuses.Count, second.Statuses.Count), Is.EqualTo((2, 1)));
    }

    [Test]
    public async Task PollOnceAsync_FailedBatchAfterSomeItems_OnlyUnseenCidsGetTheFailure()
    {
        var source = new FakeSource { AnswerOnly = 1, Failure = new GatewayFailure("undercluster \"local\" stream broke", true) };
        await using var poller = new StatusPoller(source, Options, new FakeTimeProvider(), NullLogger.Instance) { Manual = true };
        var a = new RecordingObserver();
        var b = new RecordingObserver();
        poller.Subscribe("a", a);
        poller.Subscribe("b", b);

        await poller.PollOnceAsync(CancellationToken.None);

        Assert.That((a.Statuses.Count, a.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(b.Failures.Single().Message, Is.EqualTo("undercluster \"local\" stream broke"));
    }

    [Test]
    public async Task PollOnceAsync_CidLeftOutOfCleanAnswer_ReportedAsFailedPoll()
    {
        var source = new FakeSource { AnswerOnly = 0 };
        await using var poller = new StatusPoller(source, Options, new FakeTimeProvider(), NullLogger.Instance) { Manual = true };
        var a = new RecordingObserver();
        poller.Subscribe("a", a);

        await poller.PollOnceAsync(CancellationToken.None);

        Assert.That(a.Failures.Single().Message, Does.Contain("left a out of its status answer"));
    }

    [Test]
    public async Task Loop_FakeClock_OneRoundPerIntervalWhateverTheNumberOfWaits()
    {
        var time = new CountingTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance);
        for (var i = 0; i < 500; i++)
        {
            poller.Subscribe("cid" + i, new RecordingObserver());
        }

        // New waits are asked about in the next round: the loop's first rounds (at once, then one round gap later on
        // the fake clock) ask whichever CIDs were subscribed by then; from there on, every CID is owed once an interval.
        await WaitUntilParkedAsync(time);
        var before = source.Calls.Count;
        for (var second = 1; second <= 3; second++)
        {
            await AdvanceUntilAsync(time, () => source.Calls.Count >= before + (5 * second));
            Assert.That(source.Calls, Has.Count.EqualTo(before + (5 * second)), $"after {second} interval(s)");
        }

        Assert.That(poller.Requests, Is.EqualTo(before + 15));
    }

    [Test]
    public async Task PollDueAsync_NewWait_QuickChecksForFiveSecondsThenDoublingToTheInterval()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        var start = time.GetUtcNow();
        var askedAt = new List<double>();
        poller.Subscribe("a", new RecordingObserver());

        for (var step = 0; step < 1800; step++)
        {
            var before = source.Calls.Count;
            await poller.PollDueAsync(CancellationToken.None);
            if (source.Calls.Count > before)
            {
                askedAt.Add((time.GetUtcNow() - start).TotalMilliseconds);
            }

            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        // At once, 20, then every 25 ms while the wait is younger than 5 s (45 … 4,995, and 5,020 the first check past
        // it); then 50, 100, 200, 400, 800 ms and the 1 s interval.
        var quick = Enumerable.Range(0, 200).Select(i => 45.0 + (25 * i));
        Assert.That(askedAt, Is.EqualTo(new double[] { 0, 20 }.Concat(quick).Concat([5070, 5170, 5370, 5770, 6570, 7570, 8570])));
    }

    [Test]
    public async Task PollDueAsync_SixtyFourYoungWaits_EachAskedEvery25Ms()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        for (var i = 0; i < 64; i++)
        {
            poller.Subscribe("cid" + i, new RecordingObserver());
        }

        for (var step = 0; step < 400; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            await poller.PollDueAsync(CancellationToken.None);
        }

        // 2 s: checks at 5 (the first round), 25, then every 25 ms up to 2,000 ms: 81 each, one request a round.
        Assert.That(source.Calls.SelectMany(c => c).GroupBy(c => c).Select(g => g.Count()).Distinct(), Is.EqualTo(new[] { 81 }));
        Assert.That(source.Calls, Has.Count.EqualTo(81));
    }

    [Test]
    public async Task PollNextAsync_NewWaitAfterARound_AskedAFreshGapLaterAndAlone()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        poller.Subscribe("old", new RecordingObserver());
        await poller.PollNextAsync(CancellationToken.None);
        poller.Subscribe("new", new RecordingObserver());

        time.Advance(StatusPoller.FreshGap);
        await poller.PollNextAsync(CancellationToken.None);
        time.Advance(StatusPoller.RoundGap - StatusPoller.FreshGap);
        await poller.PollNextAsync(CancellationToken.None);

        // The fresh round asks the new wait only; the old one's quick check waits for the full round, a round gap after
        // the first; the new one's second check is not due yet then.
        Assert.That(source.Calls, Is.EqualTo(new[] { new[] { "old" }, ["new"], ["old"] }));
    }

    [Test]
    public async Task PollNextAsync_FreshWaitsBeyondABatch_OneBatchPerFreshRoundTheRestInTheFullRound()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        poller.Subscribe("old", new RecordingObserver());
        await poller.PollNextAsync(CancellationToken.None);
        for (var i = 0; i < 250; i++)
        {
            poller.Subscribe("cid" + i, new RecordingObserver());
        }

        for (var step = 0; step < 3; step++)
        {
            time.Advance(StatusPoller.FreshGap);
            await poller.PollNextAsync(CancellationToken.None);
        }

        time.Advance(StatusPoller.RoundGap - (3 * StatusPoller.FreshGap));
        await poller.PollNextAsync(CancellationToken.None);

        // Three fresh rounds a fresh gap apart: one batch each (100, 100, then the 50 left); the full round a round gap
        // after the first asks the old wait's quick check alone.
        Assert.That(source.Calls.Select(c => c.Count), Is.EqualTo(new[] { 1, 100, 100, 50, 1 }));
        Assert.That(source.Calls.Skip(1).Take(3).SelectMany(c => c).Distinct().Count(), Is.EqualTo(250));
    }

    [Test]
    public async Task PollDueAsync_ManyYoungWaits_QuickChecksShareOneBatchPerRound()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        for (var i = 0; i < 1000; i++)
        {
            poller.Subscribe("cid" + i, new RecordingObserver());
        }

        time.Advance(StatusPoller.RoundGap);
        await poller.PollDueAsync(CancellationToken.None);
        Assert.That(source.Calls, Has.Count.EqualTo(10), "the first check is owed to every wait");

        var before = source.Calls.Count;
        time.Advance(TimeSpan.FromMilliseconds(40));
        for (var round = 0; round < 20; round++)
        {
            await poller.PollDueAsync(CancellationToken.None);
            time.Advance(StatusPoller.RoundGap);
        }

        // 400 ms of rounds from 60 ms: nothing owed yet (the interval is 1 s), so one batch of quick checks a round.
        Assert.That(source.Calls.Skip(before).Select(c => c.Count), Is.EqualTo(Enumerable.Repeat(100, 20)));
        Assert.That(source.Calls.Skip(before).SelectMany(c => c).Distinct().Count(), Is.EqualTo(1000), "longest overdue first: every wait gets its turn");
    }

    [Test]
    public async Task PollDueAsync_SecondWaitOnPolledCid_BackToQuickChecks()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        poller.Subscribe("a", new RecordingObserver());
        for (var step = 0; step < 200; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await poller.PollDueAsync(CancellationToken.None);
        }

        var before = source.Calls.Count;
        poller.Subscribe("a", new RecordingObserver());
        time.Advance(TimeSpan.FromMilliseconds(20));
        await poller.PollDueAsync(CancellationToken.None);

        Assert.That(source.Calls, Has.Count.EqualTo(before + 1));
    }

    /// <summary>
    /// 10,000 waits arriving over one second, the loop's rounds (<see cref="StatusPoller.PollNextAsync"/>) tried every
    /// <see cref="StatusPoller.FreshGap"/> (its shortest gap: full rounds every <see cref="StatusPoller.RoundGap"/>, fresh
    /// ones in between), on a fake clock for 10 s: prints the undercluster's status requests per second and checks the
    /// bound (one batch of quick checks per full round plus every owed check in full batches, and one batch per fresh round).
    /// </summary>
    [Test]
    public async Task PollNextAsync_TenThousandWaits_StatusRequestRateBounded()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        await using var poller = new StatusPoller(source, Options, time, NullLogger.Instance) { Manual = true };
        var step = StatusPoller.FreshGap;
        var stepsPerSecond = (int)(TimeSpan.FromSeconds(1) / step);
        var roundsPerSecond = (int)(TimeSpan.FromSeconds(1) / StatusPoller.RoundGap);
        var freshPerSecond = stepsPerSecond - roundsPerSecond;
        var perSecond = new int[10];
        var subscribed = 0;
        for (var round = 0; round < 10 * stepsPerSecond; round++)
        {
            for (var i = 0; i < 10_000 / stepsPerSecond && subscribed < 10_000 && round < stepsPerSecond; i++)
            {
                poller.Subscribe("cid" + subscribed++, new RecordingObserver());
            }

            time.Advance(step);
            var before = source.Calls.Count;
            await poller.PollNextAsync(CancellationToken.None);
            perSecond[round / stepsPerSecond] += source.Calls.Count - before;
        }

        TestContext.Out.WriteLine(
            $"10,000 waits (batch 100, interval 1 s, round gap {StatusPoller.RoundGap.TotalMilliseconds} ms, fresh round gap {step.TotalMilliseconds} ms, "
            + $"quick checks every {StatusPoller.QuickCap.TotalMilliseconds} ms for {StatusPoller.QuickFor.TotalSeconds} s): "
            + $"status requests per second {string.Join(", ", perSecond)}");
        var checks = source.Calls.Sum(c => c.Count);
        Assert.That(source.Calls, Has.Count.LessThanOrEqualTo((10 * stepsPerSecond) + (checks / 100)));
        Assert.That(perSecond[0], Is.LessThanOrEqualTo(freshPerSecond + roundsPerSecond + 200), "fresh rounds: one batch each; quick checks: one batch a full round");
        Assert.That(perSecond.Skip(1), Has.All.LessThanOrEqualTo(roundsPerSecond + 200), "no new waits, no fresh rounds");
        Assert.That(perSecond.Skip(2), Has.All.LessThanOrEqualTo(roundsPerSecond + 100), "steady state: one check per CID per interval");
        Assert.That(perSecond.Skip(2).Sum(), Is.GreaterThanOrEqualTo(8 * 100), "every CID still asked once per interval");
    }

    /// <summary>
    /// Advances the fake clock one interval once the loop is parked on the delay before its next round, then waits
    /// (real time, bounded) for the round to be done.
    /// </summary>
    private static async Task AdvanceUntilAsync(CountingTimeProvider time, Func<bool> done)
    {
        await WaitUntilParkedAsync(time);
        time.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!done())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "poll round did not happen");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits (real time, bounded) until the loop sleeps on the fake clock: one delay pending, no round running.</summary>
    private static async Task WaitUntilParkedAsync(CountingTimeProvider time)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (time.Pending != 1)
        {
            // Rounds and the loop's delays start asynchronously.
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the poller never waited for its next round");
            await Task.Delay(5);
        }
    }

    /// <summary>A fake clock that counts its timers not yet disposed (each poller delay is one, disposed when it ends).</summary>
    internal sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _pending;

        public int Pending => Volatile.Read(ref _pending);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _pending);
            return new CountedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class CountedTimer(CountingTimeProvider owner, ITimer inner) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref owner._pending);
                }

                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class FakeSource : IPinStatusSource
    {
        public ConcurrentQueue<IReadOnlyList<string>> CallsQueue { get; } = new();

        public IReadOnlyList<IReadOnlyList<string>> Calls => [.. CallsQueue];

        public int? AnswerOnly { get; init; }

        public GatewayFailure? Failure { get; init; }

        public string Name => "local";

        public Task<GatewayFailure?> FetchStatusAsync(IReadOnlyList<string> cids, Action<GlobalPinInfo> onItem, CancellationToken cancellationToken)
        {
            CallsQueue.Enqueue([.. cids]);
            foreach (var cid in cids.Take(AnswerOnly ?? cids.Count))
            {
                onItem(new GlobalPinInfo { Cid = cid });
            }

            return Task.FromResult(Failure);
        }
    }

    private sealed class RecordingObserver : IStatusObserver
    {
        public ConcurrentQueue<GlobalPinInfo> Statuses { get; } = new();

        public ConcurrentQueue<GatewayFailure> Failures { get; } = new();

        public void OnStatus(GlobalPinInfo status) => Statuses.Enqueue(status);

        public void OnPollFailed(GatewayFailure failure) => Failures.Enqueue(failure);
    }
}
