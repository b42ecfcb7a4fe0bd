using System.Diagnostics;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>Placement over three emulated underclusters (a, b, c): where pins go, how they are found, what faults do.</summary>
public sealed class PlacementFunctionalTests
{
    private static readonly PlacementOptions Replicate = new();
    private static readonly PlacementOptions Spread = new() { Policy = PlacementPolicy.Spread };
    private static readonly PlacementOptions Failover = new() { Policy = PlacementPolicy.Failover };

    [Test]
    public async Task Replicate_PinThenUnpin_EveryUnderclusterHoldsItThenNone()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Replicate);
        var cid = CompositionHarness.NewCid();

        Assert.That(await gateway.PinAsync(cid), Is.Null);
        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Contains(cid)), Is.All.True);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));

        Assert.That((await gateway.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None)).Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Contains(cid)), Is.All.False);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.Null);
    }

    [Test]
    public async Task Replicate_OneDown_PinRefusedQueryFailsUnpinFails_NeverFalseSuccess()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Replicate);
        var pinned = CompositionHarness.NewCid();
        Assert.That(await gateway.PinAsync(pinned), Is.Null);
        await fixture.TakeDownAsync("b");

        var fresh = CompositionHarness.NewCid();
        var failure = await gateway.PinAsync(fresh);
        var query = await gateway.Pins.QueryAsync(Cid.Parse(pinned), CancellationToken.None);
        var unpin = await gateway.Pins.UnpinAsync(Cid.Parse(pinned), CancellationToken.None);

        Assert.That(failure?.Message, Does.Contain("\"b\""));
        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Contains(fresh)), Is.All.False, "nothing written when the quorum cannot be met");
        Assert.That(query.Failure?.Message, Does.Contain("\"b\""), "a query that cannot reach a needed undercluster fails, never 'not pinned'");
        Assert.That(unpin.Outcome, Is.EqualTo(UnpinOutcome.Failed));
        Assert.That(unpin.Failure!.Message, Does.Contain("\"b\""));
    }

    [Test]
    public async Task Replicate_QuorumTwoOneDown_PinnedOnTwo_ReturningUnderclusterFilledByRepin()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Replicate with { Quorum = 2 });
        await fixture.TakeDownAsync("c");
        var cid = CompositionHarness.NewCid();

        Assert.That(await gateway.PinAsync(cid), Is.Null);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
        Assert.That(fixture.Pinset("c"), Does.Not.Contain(cid));

        await fixture.BringUpAsync("c");
        var afterReturn = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);
        Assert.That(afterReturn.PinnedAs, Is.Null, "a healthy undercluster lacks it: 'not pinned' makes the Go peer re-pin");
        Assert.That(afterReturn.Failure, Is.Null);

        Assert.That(await gateway.PinAsync(cid), Is.Null);
        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Contains(cid)), Is.All.True);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
    }

    [Test]
    public async Task Spread_SameCidSameUndercluster_AcrossRestartAndReplicas()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var first = fixture.StartGateway(Spread);
        var cids = Enumerable.Range(0, 30).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in cids)
        {
            Assert.That(await first.PinAsync(cid), Is.Null);
        }

        // A restarted gateway and a second replica (same identity): fresh processes' worth of state.
        var restarted = fixture.StartGateway(Spread);
        var replica = fixture.StartGateway(Spread);
        foreach (var cid in cids)
        {
            var expected = first.Placement.Rank(cid)[0].Name;
            var holders = fixture.Clusters.Where(c => fixture.Pinset(c.Name).Contains(cid)).Select(c => c.Name).ToList();
            Assert.That(holders, Is.EqualTo(new[] { expected }), cid);
            Assert.That(restarted.Placement.Rank(cid).Select(m => m.Name), Is.EqualTo(first.Placement.Rank(cid).Select(m => m.Name)));
            Assert.That((await replica.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
        }

        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Count), Is.All.GreaterThan(0), "30 CIDs spread over all three");
        Assert.That((await restarted.Pins.UnpinAsync(Cid.Parse(cids[0]), CancellationToken.None)).Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(fixture.Clusters.Select(c => fixture.Pinset(c.Name).Contains(cids[0])), Is.All.False);
    }

    [Test]
    public async Task Spread_TopChoiceDown_NextChoice_FoundAfterRecovery()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Spread);
        var cid = CompositionHarness.NewCid();
        var ranking = gateway.Placement.Rank(cid).Select(m => m.Name).ToList();
        fixture.MarkDown(ranking[0]);

        Assert.That(await gateway.PinAsync(cid), Is.Null);
        Assert.That(fixture.Pinset(ranking[1]), Does.Contain(cid));
        Assert.That(fixture.Pinset(ranking[0]), Does.Not.Contain(cid));

        fixture.MarkUp(ranking[0]);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive), "found where it was placed");
        Assert.That(await gateway.PinAsync(cid), Is.Null, "a re-pin keeps it where it is");
        Assert.That(fixture.Pinset(ranking[0]), Does.Not.Contain(cid));
    }

    [Test]
    public async Task Spread_TwoCopies_TopTwoOfTheRanking()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Spread with { Copies = 2 });
        var cid = CompositionHarness.NewCid();

        Assert.That(await gateway.PinAsync(cid), Is.Null);

        var expected = gateway.Placement.Rank(cid).Take(2).Select(m => m.Name).Order().ToList();
        Assert.That(fixture.Clusters.Where(c => fixture.Pinset(c.Name).Contains(cid)).Select(c => c.Name).Order(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Failover_FirstDown_NewPinsGoToSecond_AllFoundAfterwards()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Failover);
        var before = CompositionHarness.NewCid();
        Assert.That(await gateway.PinAsync(before), Is.Null);
        fixture.MarkDown("a");
        var during = CompositionHarness.NewCid();
        Assert.That(await gateway.PinAsync(during), Is.Null);
        fixture.MarkUp("a");

        Assert.That(fixture.Pinset("a"), Is.EquivalentTo(new[] { before }));
        Assert.That(fixture.Pinset("b"), Is.EquivalentTo(new[] { during }));
        Assert.That(fixture.Pinset("c"), Is.Empty);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(during), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
        Assert.That(await gateway.ListAsync(), Is.EquivalentTo(new[] { before, during }));
    }

    [Test]
    public async Task Failover_UnderclusterLostWhilePinWaits_WaitMovesToNextAndSucceeds()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Failover, options: CompositionHarness.FastOptions with { UnreachableAfter = TimeSpan.FromMilliseconds(500) });
        fixture["a"].Faults.Merge(new LabFaults { PinDelay = TimeSpan.FromMinutes(5) });
        var cid = CompositionHarness.NewCid();
        var started = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        Assert.That(started.Failure, Is.Null);
        Assert.That(fixture.Pinset("a"), Does.Contain(cid));

        await fixture.TakeDownAsync("a");
        var outcome = await started.Wait!.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(outcome, Is.Null, "pinned in b after a was lost");
        Assert.That(fixture.Pinset("b"), Does.Contain(cid));
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
    }

    [Test]
    public async Task ListAsync_OverlappingPinsets_EachCidOnce()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Failover, options: CompositionHarness.FastOptions with { PollBatchSize = 2 });
        var cids = Enumerable.Range(0, 7).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in cids.Take(5))
        {
            Assert.That(await gateway.PinAsync(cid), Is.Null);
        }

        // a "goes down" for placement (still answering): its pins are re-pinned into b, as the Go peer's recover would.
        fixture.MarkDown("a");
        foreach (var cid in cids.Skip(2))
        {
            Assert.That(await gateway.PinAsync(cid), Is.Null);
        }

        fixture.MarkUp("a");
        Assert.That(fixture.Pinset("a").Intersect(fixture.Pinset("b")).Count(), Is.EqualTo(3), "overlap");

        var listed = await gateway.ListAsync();

        Assert.That(listed, Is.EquivalentTo(cids));
        Assert.That(listed, Is.Unique);
    }

    [Test]
    public async Task ListAsync_ReplicateWithQuorum_OnlyPinsHeldEverywhereHealthy()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Replicate with { Quorum = 2 }, options: CompositionHarness.FastOptions with { PollBatchSize = 3 });
        var everywhere = Enumerable.Range(0, 4).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in everywhere)
        {
            Assert.That(await gateway.PinAsync(cid), Is.Null);
        }

        await fixture.TakeDownAsync("a");
        var partial = CompositionHarness.NewCid();
        Assert.That(await gateway.PinAsync(partial), Is.Null);

        Assert.That(await gateway.ListAsync(), Is.EquivalentTo(everywhere.Append(partial)), "a is down: left out, quorum 2 met by b and c");

        await fixture.BringUpAsync("a");
        Assert.That(await gateway.ListAsync(), Is.EquivalentTo(everywhere), "a is back without it: left out so that the Go peer re-pins it");
    }

    [Test]
    public async Task ListAsync_HealthyUnderclusterFailing_EndsWithFailure()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Spread);
        for (var i = 0; i < 6; i++)
        {
            Assert.That(await gateway.PinAsync(CompositionHarness.NewCid()), Is.Null);
        }

        fixture["b"].Faults.Merge(new LabFaults { ErrorRate = 1 });

        var listing = gateway.Pins.ListAsync(CancellationToken.None);
        await foreach (var unused in listing)
        {
        }

        Assert.That(listing.Failure?.Message, Does.Contain("\"b\""));
    }

    [Test]
    public async Task QueryAsync_SlowUndercluster_DelaysByAtMostItsTimeout()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        // Timeouts well above a loaded 2-core machine's answer times, well below b's latency.
        var gateway = fixture.StartGateway(Replicate with { Quorum = 2 }, timeout: TimeSpan.FromSeconds(2));
        var cid = CompositionHarness.NewCid();
        Assert.That(await gateway.PinAsync(cid), Is.Null);
        fixture["b"].Faults.Merge(new LabFaults { Latency = TimeSpan.FromSeconds(8) });

        var clock = Stopwatch.StartNew();
        var withQuorum = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);
        var quorumElapsed = clock.Elapsed;
        var strict = fixture.StartGateway(Replicate, timeout: TimeSpan.FromSeconds(2));
        clock.Restart();
        var withAll = await strict.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);
        var allElapsed = clock.Elapsed;
        TestContext.Out.WriteLine($"quorum 2: {quorumElapsed.TotalMilliseconds:0} ms; quorum all: {allElapsed.TotalMilliseconds:0} ms (b answers after 8 s, timeout 2 s)");

        Assert.That(withQuorum.PinnedAs, Is.EqualTo(PinMode.Recursive), "a and c suffice");
        Assert.That(withAll.Failure?.Message, Does.Contain("\"b\"").And.Contain("timeout"));
        Assert.That(quorumElapsed, Is.LessThan(TimeSpan.FromSeconds(8)), "not held up by b's latency");
        Assert.That(allElapsed, Is.LessThan(TimeSpan.FromSeconds(8)));
    }

    [Test]
    public async Task QueryAsync_FlappingUndercluster_PinnedOrFailureNeverNotPinned()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var gateway = fixture.StartGateway(Replicate);
        var cids = Enumerable.Range(0, 4).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in cids)
        {
            Assert.That(await gateway.PinAsync(cid), Is.Null);
        }

        fixture["c"].Faults.Merge(new LabFaults { ErrorRate = 0.5 });
        var answers = new List<string>();
        for (var round = 0; round < 10; round++)
        {
            // The probe flips with the undercluster: sometimes it saw c up, sometimes down.
            if (round % 2 == 0)
            {
                fixture.MarkDown("c");
            }
            else
            {
                fixture.MarkUp("c");
            }

            foreach (var cid in cids)
            {
                var answer = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);
                answers.Add(answer.PinnedAs is not null ? "pinned" : answer.Failure is not null ? "failure" : "not pinned");
            }
        }

        TestContext.Out.WriteLine(string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.That(answers, Has.None.EqualTo("not pinned"));
        Assert.That(answers, Has.Some.EqualTo("pinned"));
    }
}
