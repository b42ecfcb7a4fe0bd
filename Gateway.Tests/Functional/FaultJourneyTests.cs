using CompositeGateway.Lab.Connector;
using System.Collections.Concurrent;
using System.Diagnostics;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// Undercluster faults seen through the whole chain: the Go peer must see failures as failures (never a pin
/// that is not there), its watchdog must never fire on a slow but healthy pin, and the gateway keeps serving.
/// </summary>
public sealed class FaultJourneyTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task PinError_OnEveryPeer_GoPeerSeesPinFailureAndEverythingKeepsServing()
    {
        var failing = TestEnvironment.NewCid();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions
            {
                PinDelay = TimeSpan.FromMilliseconds(100),
                Faults = new LabFaults { PinErrorCids = [failing], PinErrorMessage = "failed to fetch: no providers" },
            },
        });
        var gateway = environment.Gateway;

        var outcome = await gateway.Go.PinAsync(failing);

        // The failure comes after the 200 and the first progress values, so the gateway aborts the stream: the only
        // way a Go peer sees a late failure (trailers are ignored, docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1, §4.3).
        Assert.That(outcome.Pinned, Is.False, "a pin_error must never end as a clean pin/add");
        Assert.That(outcome.WatchdogFired, Is.False);
        Assert.That(outcome.SkippedPinAdd, Is.False);
        Assert.That(outcome.Error!.Text, Is.EqualTo("unexpected EOF"));
        Assert.That(gateway.Logs.Entries.Select(e => e.Message), Has.Some.Contains("failed to fetch: no providers"), "the reason is in the gateway's log");
        Assert.That(environment.Cluster.PeerStatus(failing, 0), Is.EqualTo(TrackerStatus.PinError));
        Assert.That((await gateway.Go.PinLsCidAsync(failing)).Status, Is.EqualTo(IpfsPinStatus.Unpinned), "status: not pinned, re-pinned at the next recover");

        // The emulator and the gateway keep serving: id, another pin, the listing (which leaves the failed pin out).
        var other = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.IdAsync()).Error, Is.Null);
        Assert.That((await gateway.Go.PinAsync(other)).Error, Is.Null);
        var listing = await gateway.Go.PinLsAsync();
        Assert.That(listing.Value!.Keys, Is.EqualTo(new[] { other }));
    }

    [Test]
    public async Task PinError_CauseGone_GoPeerRepinMakesTheUnderclusterRetryAndEndsPinned()
    {
        var failing = TestEnvironment.NewCid();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions
            {
                PinDelay = TimeSpan.FromMilliseconds(100),
                Faults = new LabFaults { PinErrorCids = [failing], PinErrorMessage = "failed to fetch: no providers" },
            },
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        Assert.That((await gateway.Go.PinAsync(failing)).Pinned, Is.False);
        var created = cluster.GetPin(failing)!.Timestamp;

        // The cause is gone; the peer's recover loop sends pin/add again for the pin it never got.
        cluster.Faults.Clear();
        var (_, again) = await new GoClusterPeer(gateway.Go).RecoverAllAsync([failing]);

        Assert.Multiple(() =>
        {
            Assert.That(again[failing].Error, Is.Null, "the undercluster was asked to retry instead of the old pin_error being reported again");
            Assert.That(again[failing].Pinned, Is.True);
            Assert.That(Enumerable.Range(0, cluster.Peers.Count).Select(i => cluster.PeerStatus(failing, i)), Has.None.EqualTo(TrackerStatus.PinError));
            Assert.That(Enumerable.Range(0, cluster.Peers.Count).Select(i => cluster.PeerStatus(failing, i)), Has.Some.EqualTo(TrackerStatus.Pinned));
            Assert.That(cluster.GetPin(failing)!.Timestamp, Is.EqualTo(created), "a recover, not a re-pin: the pin's state was not rewritten");
        });
    }

    [Test]
    public async Task PinError_CauseGone_PinUpdateOntoTheFailedPinMakesTheUnderclusterRetry()
    {
        var from = TestEnvironment.NewCid();
        var failing = TestEnvironment.NewCid();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { Faults = new LabFaults { PinErrorCids = [failing] } },
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        Assert.That((await gateway.Go.PinAsync(from)).Pinned, Is.True);
        Assert.That((await gateway.Go.PinAsync(failing)).Pinned, Is.False);
        cluster.Faults.Clear();

        using var response = await gateway.Go.SendAsync($"pin/update?arg={from}&arg={failing}&unpin=false", CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), body);
        Assert.That(Enumerable.Range(0, cluster.Peers.Count).Select(i => cluster.PeerStatus(failing, i)), Has.None.EqualTo(TrackerStatus.PinError));
    }

    [Test]
    public async Task SlowPin_LongerThanTwicePinTimeout_ProgressKeepsRisingAndWatchdogNeverFires()
    {
        var pinTimeout = TimeSpan.FromSeconds(2);
        var slow = TimeSpan.FromSeconds(4.5);
        var cid = TestEnvironment.NewCid();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { Faults = new LabFaults { SlowPins = new Dictionary<string, TimeSpan> { [cid] = slow } } },
            GoPeer = new GoIpfsConnectorOptions { PinTimeout = pinTimeout },
        });
        var cluster = environment.Cluster;

        var clock = Stopwatch.StartNew();
        var outcome = await environment.Gateway.Go.PinAsync(cid);
        clock.Stop();

        Assert.That(outcome.Error, Is.Null);
        Assert.That(outcome.WatchdogFired, Is.False);
        // Less 50 ms: the emulator's slow pin ends on a timer and its wall clock, which tick coarser than the Stopwatch
        // (a CI run measured 4.497 s); ending at pin_timeout or at any early poll would still be seconds short.
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(slow - TimeSpan.FromMilliseconds(50)), "the stream lasted as long as the emulator's pin");
        Assert.That(Enumerable.Range(0, cluster.Peers.Count).Select(i => cluster.PeerStatus(cid, i)), Has.All.EqualTo(TrackerStatus.Pinned));
        var progress = outcome.Progress.Where(p => p.Progress > 0).ToList();
        Assert.That(progress.Select(p => p.Progress), Is.Ordered.Ascending.And.Unique, "strictly rising");
        Assert.That(progress, Has.Count.GreaterThanOrEqualTo(4));
        var gaps = progress.Zip(progress.Skip(1), (a, b) => b.At - a.At).Prepend(progress[0].At).ToList();
        Assert.That(gaps.Max(), Is.LessThan(pinTimeout), "never a stall as long as pin_timeout");
    }

    [Test]
    public async Task UnderclusterDown_MidWait_PinFailsAfterUnreachableAfterAndGatewayKeepsServing()
    {
        var cid = TestEnvironment.NewCid();
        var unreachableAfter = TimeSpan.FromSeconds(1);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(10) },
            PinPath = TestEnvironment.FastPinPath with { UnreachableAfter = unreachableAfter },
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        var pin = gateway.Go.PinAsync(cid);
        // The pin is in the pinset before the gateway has read it back and started waiting; going down in
        // between fails the write step, not the wait this test is about. The wait gauge says it is waiting.
        await WaitUntilWaitingAsync(gateway, cluster.Name);

        var down = Stopwatch.StartNew();
        await cluster.GoDownAsync();
        var id = await gateway.Go.IdAsync();
        var outcome = await pin.WaitAsync(Generous);
        down.Stop();

        Assert.That(outcome.Pinned, Is.False);
        Assert.That(outcome.WatchdogFired, Is.False, "progress kept coming while the gateway waited");
        Assert.That(outcome.Error!.Text, Is.EqualTo("unexpected EOF"), "a failure after the 200 aborts the stream");
        Assert.That(gateway.Logs.Entries.Select(e => e.Message), Has.Some.Contains("unreachable_after 1s"));
        Assert.That(down.Elapsed, Is.GreaterThanOrEqualTo(unreachableAfter));
        Assert.That(id.Error, Is.Null, "id answers while the undercluster is down");
        Assert.That(id.Value!.Id, Is.EqualTo(gateway.PeerId));
        Assert.That((await gateway.Go.PinLsCidAsync(cid)).Status, Is.EqualTo(IpfsPinStatus.Error), "status unknown is an error, never 'not pinned'");
        Assert.That((await gateway.Go.PinLsAsync()).Error, Is.Not.Null, "no listing rather than a short one");
    }

    [Test]
    public async Task ErrorRate_AllRequestsFail_ErrorsNeverSuccessThenRecoversWhenCleared()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        var owned = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(owned)).Error, Is.Null);

        cluster.Faults.Merge(new LabFaults { ErrorRate = 1 });
        var fresh = TestEnvironment.NewCid();
        var pin = await gateway.Go.PinAsync(fresh);
        var status = await gateway.Go.PinLsCidAsync(owned);
        var listing = await gateway.Go.PinLsAsync();
        var unpin = await gateway.Go.UnpinAsync(owned);
        var stat = await gateway.Go.RepoStatAsync();

        Assert.Multiple(() =>
        {
            Assert.That(pin.Pinned, Is.False);
            Assert.That(pin.Error!.Text, Does.Contain("lab: injected failure"));
            Assert.That(status.Status, Is.EqualTo(IpfsPinStatus.Error), "never 'not pinned' on an undercluster error");
            Assert.That(listing.Error, Is.Not.Null, "never a clean (empty) listing");
            Assert.That(unpin, Is.Not.Null, "never 'unpinned' while the undercluster refuses");
            Assert.That(stat.Error, Is.Not.Null, "no free space figure from failed metrics");
            Assert.That(cluster.GetPin(owned), Is.Not.Null);
            Assert.That(cluster.GetPin(fresh), Is.Null);
        });

        cluster.Faults.Clear();
        await AssertRecoversAsync(gateway, owned);
    }

    [Test]
    public async Task ErrorRate_PinAddCreatesFail_PeerSeesKuboErrorBeforeAnyStream()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;

        // Reads work, pin writes (POST /pins/{cid}) and status polls answer 500: pin/ls?arg says "not pinned", pin/add fails.
        cluster.Faults.Merge(new LabFaults { ErrorRate = 1, Paths = ["/pins"] });
        var cid = TestEnvironment.NewCid();
        var outcome = await gateway.Go.PinAsync(cid);

        Assert.That(outcome.Pinned, Is.False);
        Assert.That(outcome.Progress, Is.Empty, "refused before the 200");
        Assert.That(outcome.Error!.StatusCode, Is.EqualTo(500));
        Assert.That(outcome.Error.Message, Does.Contain("lab: injected failure"));
        Assert.That(cluster.GetPin(cid), Is.Null);
    }

    [Test]
    public async Task ErrorRate_PartialUnderLoad_EverySuccessIsReallyPinned()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(50) },
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        // The faults hit /id too: a probe that draws a 500 holds the circuit open until the next probe succeeds.
        // Start from a probed, healthy undercluster so that the first probe is not a race with the faults.
        await gateway.WaitUntilHealthyAsync(Generous);
        cluster.Faults.Merge(new LabFaults { ErrorRate = 0.25 });
        var cids = TestEnvironment.NewCids(60);
        var falseSuccess = new ConcurrentQueue<string>();

        var outcomes = await new GoClusterPeer(gateway.Go).PinAllAsync(cids, (cid, outcome) =>
        {
            if (outcome.Pinned && Enumerable.Range(0, cluster.Peers.Count).Any(i => cluster.PeerStatus(cid, i) != TrackerStatus.Pinned))
            {
                falseSuccess.Enqueue(cid);
            }
        });
        cluster.Faults.Clear();

        var failed = outcomes.Count(o => !o.Value.Pinned);
        TestContext.Out.WriteLine($"error_rate 0.25: {cids.Count - failed} pinned, {failed} failed (retried GETs hide some 500s)");
        Assert.That(falseSuccess, Is.Empty);
        Assert.That(outcomes.Values.Where(o => !o.Pinned).Select(o => o.Error!.Text), Has.All.Contain("lab: injected failure").Or.Contain("undercluster"));

        // Recover pins what failed (once a probe has seen the undercluster up again); afterwards the listing has every CID.
        await gateway.WaitUntilHealthyAsync(Generous);
        var (_, repinned) = await new GoClusterPeer(gateway.Go).RecoverAllAsync(cids);
        Assert.That(repinned.Values, Has.All.Property(nameof(PinOutcome.Pinned)).True);
        Assert.That((await gateway.Go.PinLsAsync()).Value!.Keys, Is.EquivalentTo(cids));
    }

    [TestCase(150, null)]
    [TestCase(null, "lab: injected stream error")]
    public async Task ListingStreamBreaks_MidWay_GoPeerGetsAnErrorNeverAShortList(int? dropAfter, string? streamError)
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        environment.Cluster.Seed(300, metadata: new Dictionary<string, string>
        {
            [gateway.OwnerKey] = "2024-01-01T00:00:00Z",
            [gateway.Options.PinPath.MetadataPrefix + "created"] = "true",
        });
        Assert.That((await gateway.Go.PinLsAsync()).Value, Has.Count.EqualTo(300));

        environment.Cluster.Faults.Merge(new LabFaults { DropStreamAfter = dropAfter, StreamError = streamError, Paths = ["/allocations"] });
        var broken = await gateway.Go.PinLsAsync();
        var status = await new GoClusterPeer(gateway.Go).StatusAllAsync([LabCids.Synthetic(0)]);

        Assert.That(broken.Error, Is.Not.Null, "a listing cut short must not end cleanly");
        Assert.That(status.Error, Is.Not.Null, "StatusAll fails as a whole, marking nothing unexpectedly_unpinned");
        environment.Cluster.Faults.Clear();
        Assert.That((await gateway.Go.PinLsAsync()).Value, Has.Count.EqualTo(300));
    }

    [Test]
    public async Task HangRate_AllRequestsHang_ErrorsNeverSuccessIdStillAnswersThenRecovers()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            UnderclusterTimeout = TimeSpan.FromMilliseconds(250),
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        var owned = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(owned)).Error, Is.Null);

        // A gateway that has been serving (the Go peer's id at start-up, status queries): the timeouts below stay a
        // minority of recent calls, so the undercluster client's circuit breaker is not what this test measures.
        Assert.That((await gateway.Go.IdAsync()).Error, Is.Null);
        for (var i = 0; i < 10; i++)
        {
            Assert.That((await gateway.Go.PinLsCidAsync(owned)).Status, Is.EqualTo(IpfsPinStatus.Recursive));
        }

        cluster.Faults.Merge(new LabFaults { HangRate = 1 });
        var fresh = TestEnvironment.NewCid();
        var pin = await gateway.Go.PinAsync(fresh);
        var unpin = await gateway.Go.UnpinAsync(owned);
        var id = await gateway.Go.IdAsync();

        Assert.Multiple(() =>
        {
            Assert.That(pin.Pinned, Is.False);
            Assert.That(pin.Error!.Text, Does.Contain("timed out"));
            Assert.That(unpin, Is.Not.Null, "never 'unpinned' while the undercluster does not answer");
            Assert.That(id.Error, Is.Null, "id answers (last good addresses) while the undercluster hangs");
            Assert.That(id.Value?.Addresses, Is.Not.Empty);
            Assert.That(cluster.GetPin(owned), Is.Not.Null);
        });

        cluster.Faults.Clear();
        await AssertRecoversAsync(gateway, owned);
    }

    /// <summary>
    /// <c>id</c> must answer quickly and always (docs/protocol/kubo-rpc-as-called-by-cluster.md §2, §7.1), even while the
    /// undercluster's <c>GET /peers</c> hangs. With the defaults a refresh of the swarm addresses could take the
    /// undercluster timeout three times over (30 s × 3 attempts) and the Go peer's 15 s pings would queue behind
    /// it until one passes its 5-minute <c>ipfs_request_timeout</c>; scaled down here: 2 s timeout, 3 s deadline.
    /// </summary>
    [Test]
    public async Task PeersListHangs_ConcurrentGoPeerIds_AnswerWithLastGoodAddressesWithinTheirDeadline()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            UnderclusterTimeout = TimeSpan.FromSeconds(2),
            GoPeer = new GoIpfsConnectorOptions { IpfsRequestTimeout = TimeSpan.FromSeconds(3) },
        });
        var gateway = environment.Gateway;
        var first = await gateway.Go.IdAsync();
        Assert.That(first.Value?.Addresses, Is.Not.Empty);

        environment.Cluster.Faults.Merge(new LabFaults { HangRate = 1, Paths = ["/peers"] });
        await Task.Delay(environment.Options.PinPath.AddressesCache + TimeSpan.FromMilliseconds(100));
        var ids = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => gateway.Go.IdAsync()));

        Assert.That(ids.Select(id => id.Error?.Text), Has.All.Null);
        Assert.That(ids.Select(id => id.Value!.Addresses), Has.All.EquivalentTo(first.Value!.Addresses), "the last good addresses");
    }

    /// <summary>Once faults clear, the gateway serves the Go peer again: pin, listing and unpin succeed.</summary>
    private static async Task AssertRecoversAsync(GatewayUnderTest gateway, string owned)
    {
        // The undercluster client's circuit breaker may still be open (break duration 15 s) after timeouts.
        var clock = Stopwatch.StartNew();
        var cid = TestEnvironment.NewCid();
        PinOutcome outcome;
        while (!(outcome = await gateway.Go.PinAsync(cid)).Pinned && clock.Elapsed < TimeSpan.FromSeconds(25))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        TestContext.Out.WriteLine($"recovered {clock.Elapsed.TotalSeconds:0.0}s after the faults cleared");
        Assert.That(outcome.Error, Is.Null);
        var listing = await gateway.Go.PinLsAsync();
        Assert.That(listing.Error, Is.Null);
        Assert.That(listing.Value!.Keys, Is.EquivalentTo(new[] { owned, cid }));
        Assert.That(await gateway.Go.UnpinAsync(owned), Is.Null);
        Assert.That(await gateway.Go.UnpinAsync(cid), Is.Null);
        Assert.That((await gateway.Go.PinLsAsync()).Value, Is.Empty);
    }

    private static async Task WaitUntilWaitingAsync(GatewayUnderTest gateway, string undercluster)
    {
        using var admin = new HttpClient { BaseAddress = gateway.AdminUrl };
        var sample = $"gateway_pins_waiting{{undercluster=\"{undercluster}\"}} 1\n";
        var clock = Stopwatch.StartNew();
        while (!(await admin.GetStringAsync("metrics")).Contains(sample, StringComparison.Ordinal))
        {
            if (clock.Elapsed > Generous)
            {
                Assert.Fail("the gateway never started waiting for the pin");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Generous)
            {
                Assert.Fail("condition not reached in time");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }
}
