using System.Net;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class StatusEndpointsTests
{
    private const string Cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    private const string Other = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

    private static string[] Statuses(JsonObject info) =>
        [.. info["peer_map"]!.AsObject().Select(p => p.Value!["status"]!.GetValue<string>())];

    [Test]
    public async Task Status_Pinned_AnswersGoldenGlobalPinInfo()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 2 });
        await lab.PostAsync($"/pins/{Cid}?replication=1&name=backup-42&meta-owner=gw-a");

        var (response, body) = await lab.GetAsync($"/pins/{Cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var sorted = lab.State.PeersById;
        string Status(LabPeer p) => p.Index == 0 ? "pinned" : "remote";
        string Ts(LabPeer p) => p.Index == 0 ? "2024-05-01T10:11:12Z" : "2024-05-01T10:11:12.5Z";
        var expected = LabHarness.Golden("status-pinned.json", new Dictionary<string, string>
        {
            ["cid"] = Cid,
            ["peer0"] = lab.Peer(0),
            ["idA"] = sorted[0].Id,
            ["nameA"] = sorted[0].Name,
            ["ipfsA"] = sorted[0].IpfsId,
            ["statusA"] = Status(sorted[0]),
            ["tsA"] = Ts(sorted[0]),
            ["idB"] = sorted[1].Id,
            ["nameB"] = sorted[1].Name,
            ["ipfsB"] = sorted[1].IpfsId,
            ["statusB"] = Status(sorted[1]),
            ["tsB"] = Ts(sorted[1]),
        });
        Assert.That(body.TrimEnd('\n'), Is.EqualTo(LabHarness.Canonical(expected)));
    }

    [Test]
    public async Task Status_WithPinDelay_GoesQueuedPinningPinnedOnTheFakeClock()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromSeconds(2) });
        await lab.PostAsync($"/pins/{Cid}?replication=2");

        var queued = await lab.GetObjectAsync($"/pins/{Cid}");
        lab.Advance(TimeSpan.FromSeconds(1));
        var pinning = await lab.GetObjectAsync($"/pins/{Cid}");
        lab.Advance(TimeSpan.FromSeconds(1));
        var pinned = await lab.GetObjectAsync($"/pins/{Cid}");

        Assert.Multiple(() =>
        {
            Assert.That(Statuses(queued).Order(), Is.EqualTo(new[] { "pin_queued", "pin_queued", "remote" }));
            Assert.That(Statuses(pinning).Order(), Is.EqualTo(new[] { "pinning", "pinning", "remote" }));
            Assert.That(Statuses(pinned).Order(), Is.EqualTo(new[] { "pinned", "pinned", "remote" }));
        });
    }

    [Test]
    public async Task Status_UnknownCid_Answers200WithEveryPeerUnpinned()
    {
        await using var lab = await LabHarness.StartAsync();
        var info = await lab.GetObjectAsync($"/pins/{Cid}");

        Assert.Multiple(() =>
        {
            Assert.That(Statuses(info), Is.EqualTo(new[] { "unpinned", "unpinned", "unpinned" }));
            Assert.That(info["name"]!.GetValue<string>(), Is.Empty);
            Assert.That(info["cid"]!.GetValue<string>(), Is.EqualTo(Cid));
            Assert.That(info["peer_map"]!.AsObject().Select(p => p.Key), Is.Ordered.Using<string>(StringComparer.Ordinal), "Go prints maps sorted");
        });
    }

    [Test]
    public async Task Status_Local_ShowsOnlyTheContactedPeer()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}");
        var info = await lab.GetObjectAsync($"/pins/{Cid}?local=true");

        Assert.That(info["peer_map"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { lab.Peer(0) }));
    }

    [Test]
    public async Task Unpin_WithDelay_ContactedPeerShowsUnpinningThenUnpinned()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromSeconds(4) });
        await lab.PostAsync($"/pins/{Cid}");
        lab.Advance(TimeSpan.FromSeconds(5));
        await lab.DeleteAsync($"/pins/{Cid}");

        var queued = await lab.GetObjectAsync($"/pins/{Cid}?local=true");
        lab.Advance(TimeSpan.FromSeconds(3));
        var unpinning = await lab.GetObjectAsync($"/pins/{Cid}?local=true");
        lab.Advance(TimeSpan.FromSeconds(2));
        var done = await lab.GetObjectAsync($"/pins/{Cid}?local=true");
        var clusterWide = await lab.GetObjectAsync($"/pins/{Cid}");

        Assert.Multiple(() =>
        {
            Assert.That(Statuses(queued), Is.EqualTo(new[] { "unpin_queued" }));
            Assert.That(Statuses(unpinning), Is.EqualTo(new[] { "unpinning" }));
            Assert.That(Statuses(done), Is.EqualTo(new[] { "unpinned" }));
            Assert.That(Statuses(clusterWide).Distinct(), Is.EqualTo(new[] { "unpinned" }), "cluster-wide status of a CID not in the pinset");
        });
    }

    [Test]
    public async Task StatusAll_Filter_KeepsMatchingPeersOnly()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}?replication=1");
        await lab.PostAsync($"/pins/{Other}");

        var (response, all, trailer) = await lab.StreamAsync("/pins");
        var (_, remote, _) = await lab.StreamAsync("/pins?filter=remote");
        var (_, pinnedOrError, _) = await lab.StreamAsync("/pins?filter=pinned,%20error,bogus");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.Trailer.ToString(), Is.EqualTo("X-Stream-Error"));
            Assert.That(trailer, Is.EqualTo(new[] { "" }));
            Assert.That(all, Has.Count.EqualTo(2));
            Assert.That(all.Select(i => i["peer_map"]!.AsObject().Count), Is.All.EqualTo(3));
            Assert.That(remote, Has.Count.EqualTo(1));
            Assert.That(Statuses(remote[0]), Is.EqualTo(new[] { "remote", "remote" }));
            Assert.That(pinnedOrError.Sum(i => i["peer_map"]!.AsObject().Count), Is.EqualTo(4));
        });
    }

    [TestCase("undefined")]
    [TestCase("bogus")]
    [TestCase("bogus,nothing")]
    public async Task StatusAll_FilterMatchingNothing_Answers400(string filter)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync("/pins?filter=" + filter);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo("{\"code\":400,\"message\":\"invalid filter value\"}\n"));
    }

    [Test]
    public async Task StatusAll_Cids_AnswersEachRequestedCid()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}");

        var (_, items, trailer) = await lab.StreamAsync($"/pins?cids={Cid},{Other}&filter=pinned");
        var (bad, _) = await lab.GetAsync($"/pins?cids={Cid},,{Other}");

        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i["cid"]!.GetValue<string>()), Is.EquivalentTo(new[] { Cid, Other }));
            Assert.That(trailer, Is.EqualTo(new[] { "" }));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task StatusAll_Empty_Answers204WithTrailerDeclared()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync("/pins");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(body, Is.Empty);
            Assert.That(response.Headers.Trailer.ToString(), Is.EqualTo("X-Stream-Error"));
        });
    }

    [Test]
    public async Task StatusAll_PeerDown_AddsClusterErrorPlaceholders()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}");
        lab.Cluster.SetPeerDown(2, true);

        var (_, items, _) = await lab.StreamAsync("/pins");
        var entry = items[0]["peer_map"]![lab.Peer(2)]!;

        Assert.Multiple(() =>
        {
            Assert.That(entry["status"]!.GetValue<string>(), Is.EqualTo("cluster_error"));
            Assert.That(entry["error"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(lab.State.StatusOf(Cid, 2), Is.EqualTo("cluster_error"));
        });
    }

    [Test]
    public async Task Recover_AfterPinErrorFaultCleared_Repins()
    {
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.Faults.Merge(new LabFaults { PinErrorCids = [Cid], PinErrorMessage = "disk on fire" });
        await lab.PostAsync($"/pins/{Cid}?replication=2");

        var failed = await lab.GetObjectAsync($"/pins/{Cid}");
        var failedEntry = failed["peer_map"]![lab.Peer(0)]!;
        var (_, listed, _) = await lab.StreamAsync("/pins?filter=error");
        lab.Cluster.Faults.Clear();
        var (response, body) = await lab.PostAsync($"/pins/{Cid}/recover");

        Assert.Multiple(() =>
        {
            Assert.That(failedEntry["status"]!.GetValue<string>(), Is.EqualTo("pin_error"));
            Assert.That(failedEntry["error"]!.GetValue<string>(), Is.EqualTo("disk on fire"));
            Assert.That(listed, Has.Count.EqualTo(1));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Statuses(JsonNode.Parse(body)!.AsObject()).Order(), Is.EqualTo(new[] { "pinned", "pinned", "remote" }));
        });
    }

    [Test]
    public async Task Repin_AfterPinErrorFaultCleared_RetriesFailedPeers()
    {
        // ipfs-cluster re-tracks a re-pinned CID on every peer; an operation that ended in error is replaced
        // by a new attempt (optracker.TrackNewOperation), so a re-pin retries like a recover.
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.Faults.Merge(new LabFaults { PinErrorCids = [Cid] });
        await lab.PostAsync($"/pins/{Cid}?replication=2&name=first");
        var failed = Enumerable.Range(0, 3).Select(i => lab.State.StatusOf(Cid, i)).Order().ToList();
        lab.Cluster.Faults.Clear();

        var (response, _) = await lab.PostAsync($"/pins/{Cid}?replication=2&name=second");

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.EqualTo(new[] { "pin_error", "pin_error", "remote" }));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Enumerable.Range(0, 3).Select(i => lab.State.StatusOf(Cid, i)).Order(), Is.EqualTo(new[] { "pinned", "pinned", "remote" }));
        });
    }

    [Test]
    public async Task Repin_OfPinnedPin_KeepsPeersPinned()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromMinutes(1) });
        lab.Cluster.Faults.Merge(new LabFaults { PinErrorCids = [Cid] });
        await lab.PostAsync($"/pins/{Cid}?replication=2");

        await lab.PostAsync($"/pins/{Cid}?replication=2&name=again");

        Assert.That(Enumerable.Range(0, 3).Select(i => lab.State.StatusOf(Cid, i)), Has.Exactly(2).EqualTo("pin_queued"), "a running attempt is not restarted, whatever the faults say now");
    }

    [Test]
    public async Task RecoverAll_StreamsRecoveredPins()
    {
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.Faults.Merge(new LabFaults { PinErrorRate = 1 });
        await lab.PostAsync($"/pins/{Cid}");
        await lab.PostAsync($"/pins/{Other}");
        lab.Cluster.Faults.Clear();

        var (response, items, trailer) = await lab.StreamAsync("/pins/recover", HttpMethod.Post);
        var (_, none, _) = await lab.StreamAsync("/pins/recover", HttpMethod.Post);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(items, Has.Count.EqualTo(2));
            Assert.That(trailer, Is.EqualTo(new[] { "" }));
            Assert.That(none, Is.Empty);
            Assert.That(lab.State.StatusOf(Cid, 1), Is.EqualTo("pinned"));
        });
    }
}
