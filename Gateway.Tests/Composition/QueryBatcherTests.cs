using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// How queries are scheduled: each "undercluster request" here is held open until the test answers it, so the test decides
/// what is in flight when the next query comes. The wiring to a real undercluster is in <see cref="QueryRequestsFunctionalTests"/>.
/// </summary>
public sealed class QueryBatcherTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Test]
    public async Task InspectAsync_FewerThanTheLanes_EachAskedAloneAtOnce()
    {
        var undercluster = new HeldUndercluster();
        var batcher = undercluster.Batcher(maxCount: 100);
        var cids = Cids(QueryBatcher.Lanes);

        var answers = AskAll(batcher, cids);

        Assert.That(undercluster.Requests.Select(r => r.Cids), Is.EqualTo(cids.Select(c => new[] { c.ToString() })), "every query on its own, none waiting");
        undercluster.AnswerAll();
        Assert.That((await Task.WhenAll(answers)).Select(a => a.Undercluster), Is.EqualTo(cids.Select(c => c.ToString())));
    }

    [Test]
    public async Task InspectAsync_PastTheLanes_WaitForALaneAndGoTogether()
    {
        var undercluster = new HeldUndercluster();
        var batcher = undercluster.Batcher(maxCount: 100);
        var cids = Cids(QueryBatcher.Lanes + 10);

        var answers = AskAll(batcher, cids);
        Assert.That(undercluster.Requests, Has.Count.EqualTo(QueryBatcher.Lanes), "the rest wait for a lane");

        await undercluster.FreeALaneAsync();

        Assert.That(undercluster.Requests[^1].Cids, Is.EqualTo(cids.Skip(QueryBatcher.Lanes).Select(c => c.ToString())), "one request for all ten, in arrival order");
        undercluster.AnswerAll();
        var done = await Task.WhenAll(answers).WaitAsync(Generous);
        Assert.That(done.Select(a => a.Undercluster), Is.EqualTo(cids.Select(c => c.ToString())), "each query gets its own CID's answer");
    }

    [Test]
    public async Task InspectAsync_WhileABatchIsOut_GoesInTheNextOneNotTheRunningOne()
    {
        var undercluster = new HeldUndercluster();
        var batcher = undercluster.Batcher(maxCount: 100);
        var cids = Cids(QueryBatcher.Lanes + 1);
        var first = AskAll(batcher, cids);
        await undercluster.FreeALaneAsync();
        var running = undercluster.Requests[^1];

        // The running batch asks about the same CID: its answer may predate this query, so it must not be used for it.
        var again = batcher.InspectAsync(cids[^1], CancellationToken.None);
        undercluster.Answer(undercluster.Requests.IndexOf(running));
        await first[^1].WaitAsync(Generous);
        Assert.That(again.IsCompleted, Is.False, "answered by a request sent before it was asked");

        await undercluster.WaitForRequestsAsync(QueryBatcher.Lanes + 2);
        Assert.That(undercluster.Requests[^1].Cids, Is.EqualTo(new[] { cids[^1].ToString() }));
        undercluster.AnswerAll();
        Assert.That((await again.WaitAsync(Generous)).Undercluster, Is.EqualTo(cids[^1].ToString()));
    }

    [Test]
    public async Task InspectAsync_ItsItemArrivesFirst_AnsweredBeforeTheBatchEnds()
    {
        var (undercluster, batcher, busy) = LanesTaken();
        var cids = Cids(3);
        var waiting = AskAll(batcher, cids);
        await undercluster.FreeALaneAsync();

        undercluster.Requests[^1].AnswerEarly(cids[1].ToString());

        Assert.That((await waiting[1].WaitAsync(Generous)).Undercluster, Is.EqualTo(cids[1].ToString()));
        Assert.That(waiting[0].IsCompleted || waiting[2].IsCompleted, Is.False, "the others wait for their own items");
        undercluster.AnswerAll();
        await Task.WhenAll([.. busy, .. waiting]).WaitAsync(Generous);
    }

    [Test]
    public async Task InspectAsync_SameCidTwiceWhileWaiting_AskedOnceAnsweredTwice()
    {
        var (undercluster, batcher, busy) = LanesTaken();
        var cid = Cids(1)[0];

        var twice = new[] { batcher.InspectAsync(cid, CancellationToken.None), batcher.InspectAsync(cid, CancellationToken.None) };
        await undercluster.FreeALaneAsync();

        Assert.That(undercluster.Requests[^1].Cids, Is.EqualTo(new[] { cid.ToString() }));
        undercluster.AnswerAll();
        Assert.That((await Task.WhenAll(twice).WaitAsync(Generous)).Select(a => a.Undercluster), Is.EqualTo(new[] { cid.ToString(), cid.ToString() }));
        await Task.WhenAll(busy).WaitAsync(Generous);
    }

    [Test]
    public async Task InspectAsync_MoreThanABatchHolds_SplitIntoSeveralInArrivalOrder()
    {
        var undercluster = new HeldUndercluster();
        var batcher = undercluster.Batcher(maxCount: 3);
        var cids = Cids(QueryBatcher.Lanes + 7);

        var answers = AskAll(batcher, cids);

        // One lane at a time, so the batches' requests are recorded in the order they were sent.
        for (var lane = 0; lane < 3; lane++)
        {
            undercluster.Answer(lane);
            await undercluster.WaitForRequestsAsync(QueryBatcher.Lanes + lane + 1);
        }

        var batches = undercluster.Requests.Skip(QueryBatcher.Lanes).Select(r => r.Cids).ToList();
        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 3, 3, 1 }));
        Assert.That(batches.SelectMany(b => b), Is.EqualTo(cids.Skip(QueryBatcher.Lanes).Select(c => c.ToString())));
        undercluster.AnswerAll();
        await Task.WhenAll(answers).WaitAsync(Generous);
    }

    [Test]
    public async Task InspectAsync_WaiterGivesUp_OnlyItStopsWaiting()
    {
        var (undercluster, batcher, busy) = LanesTaken();
        var cids = Cids(2);
        using var giveUp = new CancellationTokenSource();

        var cancelled = batcher.InspectAsync(cids[0], giveUp.Token);
        var kept = batcher.InspectAsync(cids[1], CancellationToken.None);
        await giveUp.CancelAsync();

        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        await undercluster.FreeALaneAsync();
        undercluster.AnswerAll();
        Assert.That((await kept.WaitAsync(Generous)).Undercluster, Is.EqualTo(cids[1].ToString()));
        await Task.WhenAll(busy).WaitAsync(Generous);
    }

    [Test]
    public async Task InspectAsync_BatchThrows_EveryWaiterSeesItAndTheLaneIsFreed()
    {
        var (undercluster, batcher, busy) = LanesTaken();
        var waiting = AskAll(batcher, Cids(2));
        await undercluster.FreeALaneAsync();

        undercluster.Fail(QueryBatcher.Lanes, new InvalidOperationException("broken batch"));

        foreach (var answer in waiting)
        {
            Assert.That(async () => await answer.WaitAsync(Generous), Throws.InvalidOperationException.With.Message.EqualTo("broken batch"));
        }

        // The other lanes are still held: only the failed batch's lane can send this one.
        var after = batcher.InspectAsync(Cids(1)[0], CancellationToken.None);
        await undercluster.WaitForRequestsAsync(QueryBatcher.Lanes + 2);
        undercluster.AnswerAll();
        await Task.WhenAll([.. busy, after]).WaitAsync(Generous);
    }

    /// <summary>A batcher whose every lane holds a single query the undercluster has not answered yet.</summary>
    private static (HeldUndercluster Undercluster, QueryBatcher Batcher, List<Task<PlacedPin>> Busy) LanesTaken()
    {
        var undercluster = new HeldUndercluster();
        var batcher = undercluster.Batcher(maxCount: 100);
        return (undercluster, batcher, AskAll(batcher, Cids(QueryBatcher.Lanes)));
    }

    private static List<Task<PlacedPin>> AskAll(QueryBatcher batcher, IEnumerable<Cid> cids) =>
        [.. cids.Select(c => batcher.InspectAsync(c, CancellationToken.None))];

    private static List<Cid> Cids(int count) => [.. Enumerable.Range(0, count).Select(_ => Cid.Parse(CompositionHarness.NewCid()))];

    /// <summary>Records every request and holds it until the test answers it; an answer names the CID it is for.</summary>
    private sealed class HeldUndercluster
    {
        private readonly Lock _gate = new();
        private readonly List<Held> _requests = [];

        public List<Held> Requests
        {
            get
            {
                lock (_gate)
                {
                    return [.. _requests];
                }
            }
        }

        public QueryBatcher Batcher(int maxCount) => new(
            async (cid, token) => (await Add([cid.ToString()], early: null).Task.WaitAsync(token))[cid.ToString()],
            (cids, early) => Add(cids, early).Task,
            maxCount,
            maxChars: 100_000);

        public void Answer(int index) => Requests[index].Answer();

        /// <summary>Answers the first request, which frees its lane for the oldest waiting batch, and waits for that batch's request.</summary>
        public async Task FreeALaneAsync()
        {
            var before = Requests.Count;
            Answer(0);
            await WaitForRequestsAsync(before + 1);
        }

        public void AnswerAll()
        {
            foreach (var request in Requests)
            {
                request.Answer();
            }
        }

        public void Fail(int index, Exception failure) => Requests[index].Reply.TrySetException(failure);

        public async Task WaitForRequestsAsync(int count)
        {
            var deadline = DateTime.UtcNow + Generous;
            while (Requests.Count < count)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{count} requests expected, {Requests.Count} made");
                await Task.Delay(5);
            }
        }

        private TaskCompletionSource<Dictionary<string, PlacedPin>> Add(IReadOnlyList<string> cids, Action<string, PlacedPin>? early)
        {
            var held = new Held([.. cids], early);
            lock (_gate)
            {
                _requests.Add(held);
            }

            return held.Reply;
        }
    }

    private sealed record Held(List<string> Cids, Action<string, PlacedPin>? Early)
    {
        /// <summary>One CID's item arrives while the rest of the answer is still out.</summary>
        public void AnswerEarly(string cid) => Early!(cid, PlacedPin.NotOwned(cid));

        public TaskCompletionSource<Dictionary<string, PlacedPin>> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The undercluster's name carries the CID, so each answer shows which request it came from.
        public void Answer() => Reply.TrySetResult(Cids.ToDictionary(c => c, c => PlacedPin.NotOwned(c)));
    }
}
