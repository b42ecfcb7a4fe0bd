using System.Net;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class PinEndpointsTests
{
    private const string Cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    private const string CidV0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

    [Test]
    public async Task Pin_WithOptions_AnswersGoldenPinAsSubmitted()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?name=backup-42&replication-min=2&replication-max=3&meta-owner=gw-a&meta-a=1");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(body, Does.EndWith("}\n"), "Go's json.Encoder ends documents with a newline");
        var expected = LabHarness.Golden("pin-response.json", new Dictionary<string, string>
        {
            ["cid"] = Cid,
            ["peer0"] = lab.Peer(0),
            ["peer1"] = lab.Peer(1),
            ["peer2"] = lab.Peer(2),
        });
        Assert.That(body.TrimEnd('\n'), Is.EqualTo(LabHarness.Canonical(expected)));
    }

    [Test]
    public async Task Allocation_AfterPin_AnswersGoldenReadBack()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}?name=backup-42&replication-min=2&replication-max=3&meta-owner=gw-a&meta-a=1");

        var (response, body) = await lab.GetAsync($"/allocations/{Cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var expected = LabHarness.Golden("allocation-readback.json", new Dictionary<string, string>
        {
            ["cid"] = Cid,
            ["peer0"] = lab.Peer(0),
            ["peer1"] = lab.Peer(1),
            ["peer2"] = lab.Peer(2),
        });
        Assert.That(body.TrimEnd('\n'), Is.EqualTo(LabHarness.Canonical(expected)));
    }

    [Test]
    public async Task Pin_DefaultReplication_PinsEverywhereWithEmptyAllocations()
    {
        await using var lab = await LabHarness.StartAsync();
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{CidV0}")).Body)!;

        Assert.Multiple(() =>
        {
            Assert.That(pin["replication_factor_min"]!.GetValue<int>(), Is.EqualTo(-1));
            Assert.That(pin["replication_factor_max"]!.GetValue<int>(), Is.EqualTo(-1));
            Assert.That(pin["allocations"]!.AsArray(), Is.Empty);
            Assert.That(pin["metadata"]!.AsObject(), Is.Empty, "metadata is always rebuilt from the query: {} not null");
            Assert.That(pin["cid"]!.GetValue<string>(), Is.EqualTo(CidV0));
        });
        foreach (var peer in lab.Cluster.Peers)
        {
            Assert.That(lab.State.StatusOf(CidV0, peer.Index), Is.EqualTo("pinned"));
        }
    }

    [Test]
    public async Task Pin_ClusterDefaultReplication_UsedWhenRequestSaysZero()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { ReplicationFactorMin = 1, ReplicationFactorMax = 2 });
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication-min=0&replication-max=0")).Body)!;

        Assert.That(pin["replication_factor_min"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(pin["replication_factor_max"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(pin["allocations"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Pin_Allocation_PrefersPeersWithMostFreeSpace()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { NominalPinSize = 1 << 20 });
        // Fill peers 0 and 1 a little, so peer 2 has the most free space.
        await lab.PostAsync($"/pins/{CidV0}?replication=2");
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication=1")).Body)!;

        Assert.That(pin["allocations"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { lab.Peer(2) }));
    }

    [Test]
    public async Task Pin_UserAllocations_ArePreferredAndEchoed()
    {
        await using var lab = await LabHarness.StartAsync();
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication=1&user-allocations={lab.Peer(2)},notapeer")).Body)!;

        Assert.Multiple(() =>
        {
            Assert.That(pin["allocations"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { lab.Peer(2) }));
            Assert.That(pin["user_allocations"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { lab.Peer(2) }), "undecodable IDs are dropped");
        });
    }

    [TestCase("replication-min=3&replication-max=2", "cluster.replication_factor_min is larger than max")]
    [TestCase("replication-min=-1&replication-max=2", "cluster.replication_factor_min and max must be -1 when one of them is")]
    [TestCase("replication-min=-2&replication-max=2", "cluster.replication_factor_min is wrong")]
    [TestCase("replication=4", "not enough peers to allocate CID. Needed at least: 4. Wanted at most: 4. Available candidates: 3. See logs for more info.")]
    [TestCase("expire-at=2001-01-01T00:00:00Z", "pin.ExpireAt set before current time")]
    public async Task Pin_ClusterSideCheckFails_Answers500WithGoText(string query, string message)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo($"{{\"code\":500,\"message\":\"{message}\"}}\n"));
        Assert.That(lab.State.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Pin_NotEnoughPeersBecauseOneIsDown_CountsOnlyLiveCandidates()
    {
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.SetPeerDown(1, true);
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?replication=3");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Does.Contain("Needed at least: 3. Wanted at most: 3. Available candidates: 2."));
    }

    [TestCase("replication-min=x", "parameter replication-min invalid")]
    [TestCase("replication-max=1.5", "parameter replication-max invalid")]
    [TestCase("replication=abc", "parameter replication-min invalid")]
    [TestCase("shard-size=-1", "parameter shard_size is invalid")]
    [TestCase("expire-in=10ms", "expire-in duration too short")]
    [TestCase("expire-in=soon", "expire-in cannot be parsed: time: invalid duration \"soon\"")]
    [TestCase("pin-update=nope", "error decoding update option parameter: invalid cid: selected encoding not supported")]
    [TestCase("origins=/ip4/1.2.3.4/tcp/4001", "multiaddress does not contain peer ID: protocol not found in multiaddr")]
    public async Task Pin_BadOption_Answers400ThenStillPinsWithPartialOptions(string query, string message)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?name=n&{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var documents = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = JsonNode.Parse(documents[0])!;
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(400));
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo(message));
        // docs/protocol/cluster-rest.md §1.2 caveat: the operation still runs and its answer is appended.
        Assert.That(documents, Has.Length.EqualTo(2));
        Assert.That(JsonNode.Parse(documents[1])!["name"]!.GetValue<string>(), Is.EqualTo("n"));
    }

    [TestCase("notacid")]
    [TestCase("bafy!!")]
    [TestCase("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0")]
    public async Task Pin_BadCid_Answers400DecodingError(string cid)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/{cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(body)!["message"]!.GetValue<string>(), Does.StartWith("error decoding Cid: "));
        Assert.That(JsonNode.Parse(body)!["code"]!.GetValue<int>(), Is.EqualTo(400));
    }

    [Test]
    public async Task Repin_ReplacesNameAndMetadataWholesale_KeepsAllocations()
    {
        await using var lab = await LabHarness.StartAsync();
        var first = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication=2&name=one&meta-a=1&meta-b=2")).Body)!;
        lab.Advance(TimeSpan.FromSeconds(5));
        var second = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication-min=1&replication-max=3&name=two&meta-c=3")).Body)!;

        var readBack = await lab.GetObjectAsync($"/allocations/{Cid}");
        Assert.Multiple(() =>
        {
            Assert.That(readBack["name"]!.GetValue<string>(), Is.EqualTo("two"));
            Assert.That(LabHarness.Canonical(readBack["metadata"]!), Is.EqualTo("{\"c\":\"3\"}"), "metadata is replaced, not merged");
            Assert.That(readBack["replication_factor_min"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(LabHarness.Canonical(second["allocations"]!), Is.EqualTo(LabHarness.Canonical(first["allocations"]!)), "at or above the new minimum: allocations kept");
            Assert.That(readBack["timestamp"]!.GetValue<string>(), Is.EqualTo("2024-05-01T10:11:17Z"));
        });
    }

    [Test]
    public async Task Repin_LowerMaximum_DropsAllocations()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}?replication=3");
        var second = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?replication=1")).Body)!;

        Assert.That(second["allocations"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(lab.Cluster.Peers.Count(p => lab.State.StatusOf(Cid, p.Index) == "remote"), Is.EqualTo(2));
    }

    [Test]
    public async Task Pin_ModeDirectOnCidRoute_AnswersDirectButStoresRecursive()
    {
        await using var lab = await LabHarness.StartAsync();
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?mode=direct")).Body)!;
        var readBack = await lab.GetObjectAsync($"/allocations/{Cid}");

        Assert.Multiple(() =>
        {
            Assert.That(pin["mode"]!.GetValue<string>(), Is.EqualTo("direct"));
            Assert.That(pin["max_depth"]!.GetValue<int>(), Is.EqualTo(-1));
            Assert.That(readBack["mode"]!.GetValue<string>(), Is.EqualTo("recursive"));
        });
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?mode=direct");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Does.Contain("cannot repin a CID which is already pinned in recursive mode (new pin is pinned as direct). Unpin it first."));
    }

    [Test]
    public async Task PinPath_IpfsCid_ResolvesAndKeepsDirectMode()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/ipfs/{Cid}?mode=direct&name=p");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var readBack = await lab.GetObjectAsync($"/allocations/{Cid}");
        Assert.Multiple(() =>
        {
            Assert.That(readBack["mode"]!.GetValue<string>(), Is.EqualTo("direct"));
            Assert.That(readBack["max_depth"]!.GetValue<int>(), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task PinPath_SubpathOfUnknownContent_Answers500()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/ipfs/{Cid}/dir/file");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(JsonNode.Parse(body)!["code"]!.GetValue<int>(), Is.EqualTo(500));
    }

    [Test]
    public async Task PinPath_BadCidInPath_Answers400ParsingPath()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync("/pins/ipfs/notacid");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(body)!["message"]!.GetValue<string>(), Does.StartWith("error parsing path: invalid path \"/ipfs/notacid\""));
    }

    [Test]
    public async Task Unpin_Pinned_AnswersReadBackAndRemoves()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}?name=gone");
        var (response, body) = await lab.DeleteAsync($"/pins/{Cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var pin = JsonNode.Parse(body)!;
        Assert.Multiple(() =>
        {
            Assert.That(pin["name"]!.GetValue<string>(), Is.EqualTo("gone"));
            Assert.That(pin["timestamp"]!.GetValue<string>(), Is.EqualTo("2024-05-01T10:11:12Z"), "read back from the state: whole seconds");
            Assert.That(pin["origins"]!.AsArray(), Is.Empty);
            Assert.That(lab.State.Store.Count, Is.Zero);
        });
        var (again, againBody) = await lab.DeleteAsync($"/pins/{Cid}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(againBody, Is.EqualTo("{\"code\":404,\"message\":\"pin is not part of the pinset\"}\n"));
    }

    [Test]
    public async Task UnpinPath_Pinned_Removes()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}");
        var (response, _) = await lab.DeleteAsync($"/pins/ipfs/{Cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(lab.State.Store.Count, Is.Zero);
    }

    [Test]
    public async Task PinUpdate_FromExisting_CopiesEverythingButNameAndKeepsSource()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{CidV0}?replication=2&name=old&meta-k=v");
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?pin-update={CidV0}&name=new&replication=3&meta-x=y");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var updated = await lab.GetObjectAsync($"/allocations/{Cid}");
        var source = await lab.GetObjectAsync($"/allocations/{CidV0}");
        Assert.Multiple(() =>
        {
            Assert.That(updated["name"]!.GetValue<string>(), Is.EqualTo("new"));
            Assert.That(updated["replication_factor_max"]!.GetValue<int>(), Is.EqualTo(2), "replication comes from the source pin");
            Assert.That(LabHarness.Canonical(updated["metadata"]!), Is.EqualTo("{\"k\":\"v\"}"));
            Assert.That(updated["pin_update"]!.GetValue<string>(), Is.EqualTo(CidV0));
            Assert.That(LabHarness.Canonical(updated["allocations"]!), Is.EqualTo(LabHarness.Canonical(source["allocations"]!)));
        });
    }

    [Test]
    public async Task PinUpdate_SourceMissing_Answers404()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync($"/pins/{Cid}?pin-update={CidV0}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Does.Contain("pin is not part of the pinset"));
    }

    [Test]
    public async Task Pin_ExpireIn_PinLeavesThePinsetWhenItExpires()
    {
        await using var lab = await LabHarness.StartAsync();
        var pin = JsonNode.Parse((await lab.PostAsync($"/pins/{Cid}?expire-in=1m")).Body)!;
        Assert.That(pin["expire_at"]!.GetValue<string>(), Is.EqualTo("2024-05-01T10:12:12.5Z"));

        lab.Advance(TimeSpan.FromSeconds(61));

        var (response, _) = await lab.GetAsync($"/allocations/{Cid}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(lab.State.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Allocations_Filter_SelectsByTypeAndRejectsUnknown()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync($"/pins/{Cid}");
        await lab.PostAsync($"/pins/{CidV0}");

        var (_, all, trailer) = await lab.StreamAsync("/allocations");
        var (_, pins, _) = await lab.StreamAsync("/allocations?filter=pin,shard-pin");
        var (emptyResponse, none, _) = await lab.StreamAsync("/allocations?filter=meta-pin");
        var (bad, badBody) = await lab.GetAsync("/allocations?filter=bogus");

        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.EqualTo(2));
            Assert.That(trailer, Is.EqualTo(new[] { "" }));
            Assert.That(pins, Has.Count.EqualTo(2));
            Assert.That(none, Is.Empty);
            Assert.That(emptyResponse.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badBody, Is.EqualTo("{\"code\":400,\"message\":\"invalid filter value\"}\n"));
        });
    }

    [Test]
    public async Task Allocation_Unknown_Answers404()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync($"/allocations/{Cid}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Is.EqualTo("{\"code\":404,\"message\":\"pin is not part of the pinset\"}\n"));
    }
}
