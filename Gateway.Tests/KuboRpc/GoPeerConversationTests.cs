using CompositeGateway.Lab.Connector;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>
/// The surface as a Go ipfs-cluster v1.1.6 peer experiences it: every call replayed by <see cref="GoIpfsConnector"/>
/// and judged by the peer's own rules (docs/protocol/kubo-rpc-as-called-by-cluster.md §1–§5).
/// </summary>
public sealed class GoPeerConversationTests
{
    [Test]
    public async Task Id_Called_GivesValidPeerIdAndAddresses()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Swarm.Addresses = ["/ip4/10.0.0.7/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN"];

        var id = await host.Go.IdAsync();

        Assert.That(id.Error, Is.Null);
        Assert.That(id.Value!.Id, Is.EqualTo(KuboRpcTestHost.Identity.PeerId).And.StartsWith("12D3KooW"));
        Assert.That(id.Value.Addresses, Is.EqualTo(host.Swarm.Addresses));
    }

    [Test]
    public async Task Harness_Requests_SentAsTheGoConnectorSendsThem()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        await host.Go.IdAsync();

        var headers = host.RequestHeaders.Single();
        Assert.That(headers, Does.ContainKey("Content-Type").WithValue(""));
        Assert.That(headers, Does.ContainKey("Content-Length").WithValue("0"));
        Assert.That(headers, Does.ContainKey("User-Agent").WithValue("Go-http-client/1.1"));
    }

    [Test]
    public async Task Id_AddressSourceFails_StillAnswersWithoutAddresses()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Swarm.Failure = new InvalidOperationException("underclusters unreachable");

        var id = await host.Go.IdAsync();

        Assert.That(id.Error, Is.Null);
        Assert.That(id.Value!.Addresses, Is.Empty);
    }

    [Test]
    public async Task PinLsCid_PinnedRecursively_Recursive()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("a").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var result = await host.Go.PinLsCidAsync(cid);

        Assert.That(result, Is.EqualTo(new PinLsCidResult(IpfsPinStatus.Recursive, null)));
        Assert.That(host.Go.Sent, Is.EqualTo(new[] { $"pin/ls?stream=true&arg={cid}&type=recursive" }));
    }

    [Test]
    public async Task PinLsCid_Unknown_NotPinnedWithoutError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var result = await host.Go.PinLsCidAsync(TestCids.V0("nope").ToString());

        Assert.That(result, Is.EqualTo(new PinLsCidResult(IpfsPinStatus.Unpinned, null)));
    }

    [Test]
    public async Task PinLsCid_DirectPinAskedRecursive_NotPinned()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V0("direct").ToString();
        host.Pins.Add(cid, PinMode.Direct);

        Assert.Multiple(async () =>
        {
            Assert.That((await host.Go.PinLsCidAsync(cid, maxDepth: -1)).Status, Is.EqualTo(IpfsPinStatus.Unpinned));
            Assert.That((await host.Go.PinLsCidAsync(cid, maxDepth: 0)).Status, Is.EqualTo(IpfsPinStatus.Direct));
        });
    }

    [Test]
    public async Task PinLsCid_CompositionFails_ErrorWithItsMessage()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Pins.QueryFailure = new GatewayFailure("undercluster eu-1 unreachable", Transient: true);
        var cid = TestCids.V1("x").ToString();

        var result = await host.Go.PinLsCidAsync(cid);

        Assert.That(result.Status, Is.EqualTo(IpfsPinStatus.Error));
        Assert.That(result.Error!.Text, Is.EqualTo($"IPFS error (pin/ls?stream=true&arg={cid}&type=recursive). Code: 500. Message: undercluster eu-1 unreachable"));
    }

    [Test]
    public async Task Pin_AlreadyPinned_SkipsPinAdd()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("pinned").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var outcome = await host.Go.PinAsync(cid);

        Assert.That(outcome.Pinned && outcome.SkippedPinAdd, Is.True, outcome.Error?.Text);
        Assert.That(host.Pins.Started, Is.Empty);
    }

    [Test]
    public async Task Pin_NotPinned_PinAddSentLikeGoAndPinned()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V0("new").ToString();

        var outcome = await host.Go.PinAsync(cid);
        var direct = TestCids.V0("direct-new").ToString();
        var directOutcome = await host.Go.PinAsync(direct, maxDepth: 0);

        Assert.That(outcome.Error, Is.Null);
        Assert.That(directOutcome.Error, Is.Null);
        Assert.That(host.Go.Sent, Is.EqualTo(new[]
        {
            $"pin/ls?stream=true&arg={cid}&type=recursive",
            $"pin/add?arg={cid}&recursive=true&progress=true",
            $"pin/ls?stream=true&arg={direct}&type=direct",
            $"pin/add?arg={direct}&recursive=false&progress=true",
        }));
        Assert.That(host.Pins.Started, Is.EqualTo(new[] { new PinIntent(Cid.Parse(cid), PinMode.Recursive), new PinIntent(Cid.Parse(direct), PinMode.Direct) }));
        Assert.That((await host.Go.PinLsCidAsync(direct, 0)).Status, Is.EqualTo(IpfsPinStatus.Direct));
    }

    [Test]
    public async Task Pin_ShardDepth_MaxDepthToleratedAsRecursive()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1DagPb("shard").ToString();

        var outcome = await host.Go.PinAsync(cid, maxDepth: 1);

        Assert.That(outcome.Error, Is.Null);
        Assert.That(host.Go.Sent[1], Is.EqualTo($"pin/add?arg={cid}&max-depth=1&recursive=true&progress=true"));
        Assert.That(host.Pins.Started.Single().Mode, Is.EqualTo(PinMode.Recursive));
    }

    [Test]
    public async Task Pin_SlowWait_ProgressRisesStrictlyAtMostOneSecondApart()
    {
        await using var host = await KuboRpcTestHost.StartAsync(
            new KuboRpcOptions { ProgressInterval = TimeSpan.FromMilliseconds(200) },
            new GoIpfsConnectorOptions { PinTimeout = TimeSpan.FromSeconds(1) });
        host.Pins.HoldPins = true;
        var cid = TestCids.V1("slow").ToString();

        var pinning = host.Go.PinAsync(cid);
        await Task.Delay(TimeSpan.FromSeconds(2.5), TimeProvider.System);
        Assert.That(pinning.IsCompleted, Is.False, "the pin must still be waiting, kept alive by progress");
        host.Pins.CompleteHeld();
        var outcome = await pinning;

        Assert.That(outcome.Error, Is.Null);
        Assert.That(outcome.WatchdogFired, Is.False);
        var values = outcome.Progress.Where(p => p.Progress != 0).ToList();
        Assert.That(values, Has.Count.GreaterThanOrEqualTo(5));
        Assert.That(values.Select(p => p.Progress), Is.Ordered.Ascending.And.Unique);
        var gaps = values.Zip(values.Skip(1), (a, b) => b.At - a.At);
        Assert.That(gaps, Has.All.LessThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Pin_FailsAfterStreamStarted_GoPeerSeesErrorNotSuccess()
    {
        await using var host = await KuboRpcTestHost.StartAsync(new KuboRpcOptions { ProgressInterval = TimeSpan.FromMilliseconds(100) });
        host.Pins.HoldPins = true;
        var cid = TestCids.V1("doomed").ToString();

        var pinning = host.Go.PinAsync(cid);
        await WaitUntilAsync(() => host.Pins.HeldCount == 1);
        await Task.Delay(TimeSpan.FromMilliseconds(350), TimeProvider.System);
        host.Pins.CompleteHeld(new GatewayFailure("pin_error on 2 of 3 peers", Transient: false));
        var outcome = await pinning;

        Assert.That(outcome.Pinned, Is.False);
        Assert.That(outcome.Error!.Text, Is.EqualTo("unexpected EOF"));
        Assert.That(outcome.Progress, Is.Not.Empty, "the failure came after HTTP 200 and some progress");
    }

    [Test]
    public async Task Pin_RefusedBeforeStreaming_ErrorCarriesMessage()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Pins.StartFailure = new GatewayFailure("no undercluster accepts new pins", Transient: true);
        var cid = TestCids.V0("refused").ToString();

        var outcome = await host.Go.PinAsync(cid);

        Assert.That(outcome.Error!.Message, Is.EqualTo("no undercluster accepts new pins"));
        Assert.That(outcome.Error.StatusCode, Is.EqualTo(500));
    }

    [Test]
    public async Task Pin_NoProgressWithinPinTimeout_WatchdogCancels()
    {
        // The harness's own watchdog must bite when progress stalls: a progress interval longer than pin_timeout.
        await using var host = await KuboRpcTestHost.StartAsync(
            new KuboRpcOptions { ProgressInterval = TimeSpan.FromSeconds(1) },
            new GoIpfsConnectorOptions { PinTimeout = TimeSpan.FromMilliseconds(300) });
        host.Pins.HoldPins = true;

        var outcome = await host.Go.PinAsync(TestCids.V1("stalled").ToString());

        Assert.That(outcome.WatchdogFired, Is.True);
        Assert.That(outcome.Error!.Text, Is.EqualTo("context canceled"));
    }

    [Test]
    public async Task Unpin_Owned_UnpinnedAndRemoved()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("mine").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var error = await host.Go.UnpinAsync(cid);

        Assert.That(error, Is.Null);
        Assert.That(host.Pins.Pins, Is.Empty);
        Assert.That(host.Go.Sent, Is.EqualTo(new[] { $"pin/rm?arg={cid}" }));
    }

    [Test]
    public async Task Unpin_NotOwned_AlreadyUnpinnedForGoPeer()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var error = await host.Go.UnpinAsync(TestCids.V0("elsewhere").ToString());

        Assert.That(error, Is.Null);
    }

    [Test]
    public async Task Unpin_CompositionFails_UnpinError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Pins.UnpinFailure = new GatewayFailure("undercluster eu-1 timed out", Transient: true);

        var error = await host.Go.UnpinAsync(TestCids.V0("x").ToString());

        Assert.That(error!.Message, Is.EqualTo("undercluster eu-1 timed out"));
    }

    [Test]
    public async Task PinUpdate_GoForm_UpdatedAndOldKept()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var from = TestCids.V1("v1").ToString();
        var to = TestCids.V1("v2").ToString();
        host.Pins.Add(from, PinMode.Recursive);

        var error = await host.Go.PinUpdateAsync(from, to);

        Assert.That(error, Is.Null);
        Assert.That(host.Pins.Updates.Single(), Is.EqualTo((from, to, false)));
    }

    [Test]
    public async Task PinLs_Full_RecursiveOnlyWithExactCids()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var v0 = TestCids.V0("one").ToString();
        var v1 = TestCids.V1("two").ToString();
        host.Pins.Add(v0, PinMode.Recursive);
        host.Pins.Add(v1, PinMode.Recursive);
        host.Pins.Add(TestCids.V0("three").ToString(), PinMode.Direct);

        var listing = await host.Go.PinLsAsync();

        Assert.That(listing.Error, Is.Null);
        Assert.That(listing.Value, Is.EquivalentTo(new Dictionary<string, IpfsPinStatus> { [v0] = IpfsPinStatus.Recursive, [v1] = IpfsPinStatus.Recursive }));
        Assert.That(host.Go.Sent.Single(), Is.EqualTo("pin/ls?stream=true&type=recursive"));
    }

    [Test]
    public async Task PinLs_FailsMidStream_GoPeerSeesError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            host.Pins.Add(TestCids.V1("p" + i).ToString(), PinMode.Recursive);
        }

        host.Pins.ListFailure = new GatewayFailure("undercluster lost mid-listing", Transient: true);
        host.Pins.ListFailAfter = 3;

        var listing = await host.Go.PinLsAsync();

        // Normally a truncated stream; a connection closed before the headers got out would be a transport
        // error instead. Either way an error, never a clean, silently short listing.
        Assert.That(listing.Error, Is.Not.Null);
        Assert.That(listing.Error!.Text, Is.EqualTo("unexpected EOF").Or.StartsWith("Post: "));
    }

    [Test]
    public async Task PinLs_FailsBeforeFirst_KuboError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Pins.Add(TestCids.V1("p").ToString(), PinMode.Recursive);
        host.Pins.ListFailure = new GatewayFailure("no undercluster reachable", Transient: true);

        var listing = await host.Go.PinLsAsync();

        Assert.That(listing.Error!.Message, Is.EqualTo("no undercluster reachable"));
    }

    [Test]
    public async Task PinLs_Empty_CleanEmptyListing()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var listing = await host.Go.PinLsAsync();

        Assert.That(listing.Error, Is.Null);
        Assert.That(listing.Value, Is.Empty);
    }

    [Test]
    public async Task RepoStat_Reported_UnsignedValues()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Space.Result = SpaceReportResult.Reported(52_428_800, 9_007_199_254_740_993);

        var stat = await host.Go.RepoStatAsync();

        Assert.That(stat.Value, Is.EqualTo(new GoRepoStat(52_428_800, 9_007_199_254_740_993)));
    }

    [Test]
    public async Task RepoStat_Unlimited_ClampedBelowTwoToThe63()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Space.Result = SpaceReportResult.Reported(0, ulong.MaxValue);

        var stat = await host.Go.RepoStatAsync();

        Assert.That(stat.Value!.StorageMax, Is.EqualTo((ulong)long.MaxValue));
        Assert.That((long)(stat.Value.StorageMax - stat.Value.RepoSize), Is.Positive, "the Go informer's signed weight must stay positive");
    }

    [Test]
    public async Task RepoStat_Fails_Error()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Space.Result = SpaceReportResult.Failed(new GatewayFailure("no metrics from eu-1", Transient: true));

        var stat = await host.Go.RepoStatAsync();

        Assert.That(stat.Error!.Message, Is.EqualTo("no metrics from eu-1"));
    }

    [Test]
    public async Task RepoGc_StreamErrors_KeysAndErrorsDecoded()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var removed = TestCids.V1("gone").ToString();
        host.Gc.Items = [GarbageCollectedItem.Removed(removed), GarbageCollectedItem.Failed("eu-1: gc failed")];

        var gc = await host.Go.RepoGcAsync();

        Assert.That(gc.Error, Is.Null);
        Assert.That(gc.Value, Is.EqualTo(new[] { new GoRepoGcKey(removed, ""), new GoRepoGcKey(null, "eu-1: gc failed") }));
    }

    [Test]
    public async Task SwarmPeers_Called_EmptyValidList()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var peers = await host.Go.SwarmPeersAsync();

        Assert.That(peers.Error, Is.Null);
        Assert.That(peers.Value, Is.Empty);
    }

    [Test]
    public async Task SwarmConnect_Origin_AcceptedAsNoOp()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var error = await host.Go.SwarmConnectAsync("/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN");

        Assert.That(error, Is.Null);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.That(condition(), Is.True, "condition not reached in 5 s");
    }
}
