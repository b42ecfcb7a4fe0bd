using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>"Truth, not acknowledgement": pin waits against the real emulator over HTTP.</summary>
public sealed class PinWaitFunctionalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task StartPinAsync_PinDelay_EndsOnlyOnceEveryPeerReallyPinned()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(800) });
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(start.Failure, Is.Null);
        Assert.That(start.Wait!.Completion.IsCompleted, Is.False, "acknowledged before the undercluster pinned");
        Assert.That(Enumerable.Range(0, 3).Select(i => harness.State.StatusOf(cid, i)), Has.None.EqualTo(TrackerStatus.Pinned));
        var failure = await start.Wait.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Null);
        // Replicate-everywhere (the emulator's default −1/−1): every peer must report pinned.
        Assert.That(Enumerable.Range(0, 3).Select(i => harness.State.StatusOf(cid, i)), Has.All.EqualTo(TrackerStatus.Pinned));
        Assert.That(start.Wait.PinnedPeers, Is.EqualTo(3));
    }

    [Test]
    public async Task StartPinAsync_MinRuleWithReplicationTwo_EndsWhenTwoPeersPinned()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { Peers = 4, PinDelay = TimeSpan.FromMilliseconds(300) });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { ReplicationMin = 2, ReplicationMax = 3 });
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Null);
        var pinned = Enumerable.Range(0, 4).Count(i => harness.State.StatusOf(cid, i) == TrackerStatus.Pinned);
        Assert.That(pinned, Is.GreaterThanOrEqualTo(2));
        Assert.That(gateway.Undercluster.LearnedDefaultReplication, Is.Null, "replication was configured, nothing to learn");
    }

    [Test]
    public async Task StartPinAsync_PinError_NeverSuccessAndMessageNamesPeerAndError()
    {
        var cid = CompositionHarness.NewCid();
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions
        {
            PinDelay = TimeSpan.FromMilliseconds(200),
            Faults = new LabFaults { PinErrorCids = [cid], PinErrorMessage = "failed to fetch: no providers" },
        });
        var gateway = harness.StartGateway();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Not.Null);
        Assert.That(failure!.Message, Does.Match("^undercluster \"local\": pin_error on peer 12D3\\S+ \\(local-peer-\\d\\): failed to fetch: no providers"));
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.Null);
    }

    [Test]
    public async Task StartPinAsync_UnderclusterGoesDownMidWait_FailsAfterGraceNamingTheUndercluster()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { UnreachableAfter = TimeSpan.FromSeconds(1) });
        var cid = CompositionHarness.NewCid();
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        await harness.Cluster.GoDownAsync();
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Not.Null);
        Assert.That(failure!.Message, Does.StartWith("undercluster \"local\" unreachable"));
        Assert.That(failure.Message, Does.Contain("unreachable_after 1s"));
        Assert.That(failure.Transient, Is.True);
    }

    [Test]
    public async Task StartPinAsync_StatusPollsAnswer500ForAWhile_StillEndsPinned()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(600) });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { UnreachableAfter = TimeSpan.FromSeconds(5) });
        var cid = CompositionHarness.NewCid();
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        harness.Cluster.Faults.Merge(new LabFaults { ErrorRate = 1, Paths = ["/pins"] });
        await Task.Delay(TimeSpan.FromSeconds(1));
        var failedPolls = harness.Requests.Count("GET", "/pins");
        harness.Cluster.Faults.Clear();
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Null);
        Assert.That(failedPolls, Is.GreaterThan(0), "the 500s were actually served");
    }

    [Test]
    public async Task StartPinAsync_StatusPollsHang_FailsOnceUnreachableForTheGracePeriod()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway(
            options: CompositionHarness.FastOptions with { UnreachableAfter = TimeSpan.FromSeconds(1) },
            timeout: TimeSpan.FromMilliseconds(300));
        var cid = CompositionHarness.NewCid();
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        harness.Cluster.Faults.Merge(new LabFaults { HangRate = 1, Paths = ["/pins"] });
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure, Is.Not.Null);
        Assert.That(failure!.Message, Does.StartWith("undercluster \"local\" timed out"));
        Assert.That(failure.Message, Does.Contain("no status of " + cid));
    }

    [Test]
    public async Task StartPinAsync_WaitLimit_FailsWithTheLimitInTheMessage()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { WaitLimit = TimeSpan.FromMilliseconds(500) });
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        var failure = await start.Wait!.Completion.WaitAsync(Generous);

        Assert.That(failure!.Message, Does.Match("^undercluster \"local\": \\S+ not pinned after 0.5s \\(wait_limit\\); 0 of 3 required peers report pinned$"));
    }

    [Test]
    public async Task StartPinAsync_AcceptedMode_CompletesOnceInPinsetBeforePeersPinned()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { PinWait = PinWaitMode.Accepted });
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(await start.Wait!.Completion, Is.Null);
        Assert.That(harness.InPinset(cid), Is.True);
        Assert.That(harness.State.StatusOf(cid, 0), Is.Not.EqualTo(TrackerStatus.Pinned));
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.Null, "queries still tell the truth");
    }

    [Test]
    public async Task StartPinAsync_CallerCancels_WaitCancelledAndNoLongerPolled()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) });
        var gateway = harness.StartGateway();
        using var cts = new CancellationTokenSource();
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(CompositionHarness.NewCid()), PinMode.Recursive), cts.Token);

        await cts.CancelAsync();

        Assert.That(async () => await start.Wait!.Completion, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(gateway.Undercluster.Poller.Count, Is.Zero);
    }

    [Test]
    public async Task StartPinAsync_AlreadyOwnedAndPinned_NoRepinAndDoneAtFirstPoll()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        var first = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        Assert.That(await first.Wait!.Completion.WaitAsync(Generous), Is.Null);
        var posts = harness.Requests.Count("POST", "/pins/" + cid);

        var second = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(await second.Wait!.Completion.WaitAsync(Generous), Is.Null);
        // The first pin a process creates with the undercluster's default replication is written twice: created, then
        // re-posted as stored once the default is known, which stamps the shape key (docs/design/ownership.md).
        Assert.That(posts, Is.EqualTo(2));
        Assert.That(harness.Requests.Count("POST", "/pins/" + cid), Is.EqualTo(posts), "no needless re-pin (§5.7)");
    }

    [Test]
    public async Task StartPinAsync_Direct_StoredDirectThroughThePathRoute()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Direct), CancellationToken.None);
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);

        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Direct));
        var upgrade = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        Assert.That(await upgrade.Wait!.Completion.WaitAsync(Generous), Is.Null);
        Assert.That((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));
    }
}
