using System.Diagnostics;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>Many pins at once: lifecycle against emulator state, polling load, listing memory, query failures.</summary>
public sealed class PinServiceScaleTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);

    [Test]
    public async Task Lifecycle_ThousandPins_EmulatorStateMatchesAtEveryStep()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(200) });
        var gateway = harness.StartGateway();
        var cids = Enumerable.Range(0, 1000).Select(_ => CompositionHarness.NewCid()).ToList();

        var starts = await Task.WhenAll(cids.Select(cid => gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None)));
        Assert.That(starts.Select(s => s.Failure), Has.All.Null);
        Assert.That(harness.State.Store.Count, Is.EqualTo(1000), "every pin in the pinset once started");
        var failures = await Task.WhenAll(starts.Select(s => s.Wait!.Completion.WaitAsync(Generous)));
        Assert.That(failures, Has.All.Null);
        Assert.That(cids.SelectMany(cid => Enumerable.Range(0, 3).Select(i => harness.State.StatusOf(cid, i))), Has.All.EqualTo(TrackerStatus.Pinned));
        Assert.That(cids.Select(harness.MetadataOf), Has.All.ContainKey(gateway.OwnerKey));

        var listed = await OwnershipFunctionalTests.ListAsync(gateway);
        Assert.That(listed, Is.EquivalentTo(cids));

        var unpins = await Task.WhenAll(cids.Select(cid => gateway.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None)));
        Assert.That(unpins.Select(u => u.Outcome), Has.All.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(harness.State.Store.Count, Is.Zero);
        Assert.That(await OwnershipFunctionalTests.ListAsync(gateway), Is.Empty);
    }

    [Test]
    public async Task StatusPolling_FiveHundredConcurrentWaits_RequestsPerIntervalBoundedAtTheEmulator()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromSeconds(4) });
        var interval = TimeSpan.FromMilliseconds(500);
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { PollInterval = interval, PollBatchSize = 100 });
        var cids = Enumerable.Range(0, 500).Select(_ => CompositionHarness.NewCid()).ToList();
        var starts = await Task.WhenAll(cids.Select(cid => gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None)));
        var clock = Stopwatch.StartNew();

        var failures = await Task.WhenAll(starts.Select(s => s.Wait!.Completion.WaitAsync(Generous)));
        var elapsed = clock.Elapsed;

        Assert.That(failures, Has.All.Null);
        var polls = harness.Requests.All.Where(r => r.Method == "GET" && r.Path == "/pins").ToList();
        var perRound = CidBatch.Split(cids, 100, CompositionHarness.FastOptions.PollBatchChars).Count();
        var perSecond = polls.GroupBy(r => r.At.Ticks / TimeSpan.TicksPerSecond).Select(g => g.Count()).ToList();
        var rounds = gateway.Undercluster.Poller.Rounds;
        TestContext.Out.WriteLine(
            $"500 waits over {elapsed.TotalSeconds:0.0}s: {polls.Count} status requests at the emulator in {rounds} rounds "
            + $"(max {perSecond.Max()} per wall-clock second, interval {interval.TotalMilliseconds} ms, {perRound} batches per round)");
        // One batch = one request at the emulator (the batches fit the client's URL limit, so it never splits them).
        Assert.That(polls, Has.Count.EqualTo(gateway.Undercluster.Poller.Requests));
        // 500 CIDs of 59 characters: batches bounded by poll_batch_chars (5,000) hold 83, so 7 per round.
        Assert.That(perRound, Is.EqualTo(7));
        Assert.That(polls, Has.Count.LessThanOrEqualTo(perRound * rounds));
        // Each CID is checked in the round after its wait starts; that check and one every interval (500 ms) after the last
        // are owed, every owed CID asked in the next round. The waits are young (first 5 s) for the whole test, so the
        // quick checks in between come on top, but at most one batch a round. Rounds start at least 20 ms apart, so a
        // wall-clock second holds at most 50 rounds: owed checks cost at most 2 rounds' worth (+1 straddling) a second,
        // quick ones at most 50 requests.
        Assert.That(perSecond.Max(), Is.LessThanOrEqualTo(perRound * 50));
        var firstPoll = polls.Min(r => r.At);
        var steady = polls.Where(r => r.At - firstPoll >= TimeSpan.FromSeconds(2)).GroupBy(r => r.At.Ticks / TimeSpan.TicksPerSecond).Select(g => g.Count()).ToList();
        Assert.That(steady, Has.All.LessThanOrEqualTo((perRound * 3) + 50), "owed: 2 rounds (+1 straddling) per wall-clock second; quick: one batch a round");
    }

    [Test]
    public async Task QueryAsync_UnderclusterDown_FailedNeverNotPinned()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        await OwnershipFunctionalTests.PinAsync(gateway, cid);

        await harness.Cluster.GoDownAsync();
        var query = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(query.PinnedAs, Is.Null);
        Assert.That(query.Failure, Is.Not.Null);
        Assert.That(query.Failure!.Message, Does.StartWith("undercluster \"local\" unreachable"));
    }

    [Test]
    public async Task QueryAsync_NeededPeerDown_FailedNotNotPinned()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        await OwnershipFunctionalTests.PinAsync(gateway, cid);

        harness.Cluster.SetPeerDown(2, true);
        var query = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(query.Failure!.Message, Does.Contain("could not be asked"));
    }

    [Test]
    public async Task QueryAsync_InProgress_NotPinned()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        var query = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That((query.PinnedAs, query.Failure), Is.EqualTo(((PinMode?)null, (GatewayFailure?)null)));
    }

    [Test]
    public async Task ListAsync_StreamBreaksMidWay_EndsWithFailure()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        harness.SeedOwned(500, gateway.Owner);
        harness.Cluster.Faults.Merge(new LabFaults { DropStreamAfter = 250, Paths = ["/allocations"] });
        var listed = 0;

        var listing = gateway.Pins.ListAsync(CancellationToken.None);
        await foreach (var unused in listing)
        {
            listed++;
        }

        Assert.That(listing.Failure?.Message, Does.StartWith("undercluster \"local\""));
        Assert.That(listed, Is.LessThan(500));
    }

    [Test]
    public async Task ListAsync_HundredThousandOwnedPins_BoundedMemory()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions);
        harness.SeedOwned(100_000, gateway.Owner);
        harness.Cluster.Seed(20_000);

        var figures = await MeasureListingAsync(gateway, 100_000);

        TestContext.Out.WriteLine(figures.ToString());
        // The pinset itself lives in this process (the emulator); the listing must not add a copy of it.
        Assert.That(figures.PeakHeapGrowthBytes, Is.LessThan(64L << 20));
    }

    [Test]
    [Explicit("benchmark: lists 1,000,000 owned pins and prints memory figures")]
    public async Task Benchmark_ListMillionPins_Memory()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions);
        harness.SeedOwned(1_000_000, gateway.Owner);

        var figures = await MeasureListingAsync(gateway, 1_000_000);

        TestContext.Out.WriteLine(figures.ToString());
    }

    internal static async Task<ListingFigures> MeasureListingAsync(CompositionHarness.Gateway gateway, int expected)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            // Live heap (after a full collection), so garbage not yet collected does not count as "held".
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(100);
            }
        });
        var clock = Stopwatch.StartNew();
        long count = 0;
        await foreach (var unused in gateway.Pins.ListAsync(CancellationToken.None))
        {
            count++;
        }

        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        Assert.That(count, Is.EqualTo(expected));
        return new ListingFigures(count, clock.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, baseline, peak - baseline);
    }

    internal sealed record ListingFigures(long Items, TimeSpan Elapsed, long AllocatedBytes, long BaselineHeapBytes, long PeakHeapGrowthBytes)
    {
        public override string ToString() =>
            $"listed {Items:N0} owned pins in {Elapsed.TotalSeconds:0.00}s ({Items / Elapsed.TotalSeconds:N0}/s, slowed by a full GC every 100 ms for sampling); "
            + $"allocated {AllocatedBytes / 1048576.0:N1} MiB in total (gateway + in-process emulator, {AllocatedBytes / (double)Items:N0} B/pin); "
            + $"managed heap before {BaselineHeapBytes / 1048576.0:N1} MiB (pinset in the emulator), peak live-heap growth while listing {PeakHeapGrowthBytes / 1048576.0:N1} MiB";
    }
}
