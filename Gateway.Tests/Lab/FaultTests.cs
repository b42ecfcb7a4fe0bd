using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class FaultTests
{
    private const string Cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    [Test]
    public async Task ErrorRate_One_Answers500InjectedFailure()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { ErrorRate = 1 } });
        var (response, body) = await lab.GetAsync("/id");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo("{\"code\":500,\"message\":\"lab: injected failure\"}\n"));
    }

    [Test]
    public async Task Faults_Paths_LimitRequestFaultsToPrefixes()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { ErrorRate = 1, Paths = ["/pins"] } });

        Assert.That((await lab.GetAsync("/id")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await lab.GetAsync("/pins")).Response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
    }

    [Test]
    public async Task Latency_DelaysAnswers()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { Latency = TimeSpan.FromMilliseconds(300) } }, fakeClock: false);
        var start = TimeProvider.System.GetTimestamp();
        var (response, _) = await lab.GetAsync("/version");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(TimeProvider.System.GetElapsedTime(start), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)));
    }

    [Test]
    public async Task Hang_ClientGivesUp_WithTimeout()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { HangRate = 1 } });
        using var http = new HttpClient { BaseAddress = lab.Cluster.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetAsync("/id"));
        lab.Cluster.Faults.Clear();
        Assert.That((await lab.GetAsync("/id")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Down_RefusesConnections_ThenComesBackOnTheSamePort()
    {
        await using var lab = await LabHarness.StartAsync();
        var port = lab.Cluster.EndPoint.Port;
        await lab.PostAsync($"/pins/{Cid}");

        await lab.Cluster.GoDownAsync();
        using var refused = new HttpClient { BaseAddress = lab.Cluster.BaseAddress };
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync("/id"));
        Assert.That(error!.InnerException, Is.InstanceOf<SocketException>().With.Property("SocketErrorCode").EqualTo(SocketError.ConnectionRefused));

        await lab.Cluster.ComeUpAsync();
        Assert.That(lab.Cluster.EndPoint.Port, Is.EqualTo(port));
        Assert.That(lab.Cluster.GetPin(Cid)?.Cid, Is.EqualTo(Cid));
        Assert.That(lab.Cluster.PeerStatus(Cid, 0), Is.EqualTo("pinned"));
        var (response, _) = await lab.GetAsync($"/allocations/{Cid}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "state survives the outage");
    }

    [Test]
    public async Task DownFor_ThroughControlEndpoint_ComesBackAfterTheDuration()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, _) = await lab.PostAsync("/_lab/down?for=30s");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));

        for (var i = 0; i < 500 && lab.Cluster.IsUp; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        Assert.That(lab.Cluster.IsUp, Is.False);
        lab.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 500 && !lab.Cluster.IsUp; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        Assert.That(lab.Cluster.IsUp, Is.True);
        using var http = new HttpClient { BaseAddress = lab.Cluster.BaseAddress };
        Assert.That((await http.GetAsync("/version")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ResetConnections_ClosesAcceptedConnections()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { ResetConnections = true } });
        using var http = new HttpClient { BaseAddress = lab.Cluster.BaseAddress };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/id"));
    }

    [Test]
    public async Task ResetConnections_ControlEndpointStillAnswers_FaultCanBeCleared()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { ResetConnections = true } });
        using var http = new HttpClient { BaseAddress = lab.Cluster.BaseAddress };

        using var faults = await http.GetAsync("/_lab/faults");
        using var cleared = await http.DeleteAsync("/_lab/faults");
        using var id = await http.GetAsync("/id");

        Assert.That(faults.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await faults.Content.ReadAsStringAsync(), Does.Contain("\"reset_connections\":true"));
        Assert.That(cleared.IsSuccessStatusCode, Is.True);
        Assert.That(id.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
    }

    [Test]
    public async Task DropStreamAfter_AbortsMidStream_ClientSeesIncompleteBody()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { DropStreamAfter = 5 } });
        lab.Cluster.Seed(50);

        using var response = await lab.Http.GetAsync("/allocations", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = 0;
        var failure = await Assert.CatchAsync(async () =>
        {
            while (await reader.ReadLineAsync() is not null)
            {
                lines++;
            }
        });

        Assert.That(failure, Is.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>());
        Assert.That(lines, Is.EqualTo(5));
    }

    [Test]
    public async Task StreamError_WithItems_IsTheTrailerValue_WithoutItems_Is500()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { StreamError = "peer went away" } });
        var (emptyResponse, emptyBody) = await lab.GetAsync("/pins");
        lab.Cluster.Seed(3);
        var (response, items, trailer) = await lab.StreamAsync("/pins");

        Assert.Multiple(() =>
        {
            Assert.That(emptyResponse.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(emptyBody, Is.EqualTo("{\"code\":500,\"message\":\"peer went away\"}\n"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(items, Has.Count.EqualTo(3));
            Assert.That(trailer, Is.EqualTo(new[] { "peer went away" }));
        });
    }

    [Test]
    public async Task PinErrorRate_One_AllAllocatedPeersReportPinError()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Faults = new LabFaults { PinErrorRate = 1 } });
        await lab.PostAsync($"/pins/{Cid}?replication=2");
        var info = await lab.GetObjectAsync($"/pins/{Cid}");
        var statuses = info["peer_map"]!.AsObject().Select(p => p.Value!["status"]!.GetValue<string>()).Order();

        Assert.That(statuses, Is.EqualTo(new[] { "pin_error", "pin_error", "remote" }));
    }

    [Test]
    public async Task SlowPins_PerCid_DelayOnlyThatCid()
    {
        const string other = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
        await using var lab = await LabHarness.StartAsync();
        var (control, _) = await lab.PostAsync("/_lab/faults", $"{{\"slow_pins\":{{\"{Cid}\":\"1m\"}}}}");
        await lab.PostAsync($"/pins/{Cid}");
        await lab.PostAsync($"/pins/{other}");

        Assert.Multiple(() =>
        {
            Assert.That(control.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(lab.State.StatusOf(Cid, 0), Is.EqualTo("pin_queued"));
            Assert.That(lab.State.StatusOf(other, 0), Is.EqualTo("pinned"));
        });
        lab.Advance(TimeSpan.FromSeconds(31));
        Assert.That(lab.State.StatusOf(Cid, 0), Is.EqualTo("pinning"));
        lab.Advance(TimeSpan.FromSeconds(30));
        Assert.That(lab.State.StatusOf(Cid, 0), Is.EqualTo("pinned"));
    }

    [Test]
    public async Task ControlEndpoint_PostMerges_GetReads_DeleteClears()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync("/_lab/faults", "{\"latency\":\"250ms\",\"error_rate\":0.5}");
        await lab.PostAsync("/_lab/faults", "{\"down_peers\":[2]}");
        var merged = await lab.GetObjectAsync("/_lab/faults");
        var (bad, badBody) = await lab.PostAsync("/_lab/faults", "{\"error_rate\":2}");
        var (cleared, clearedBody) = await lab.SendAsync(HttpMethod.Delete, "/_lab/faults");

        Assert.Multiple(() =>
        {
            Assert.That(LabHarness.Canonical(merged), Is.EqualTo("{\"latency\":\"250ms\",\"error_rate\":0.5,\"down_peers\":[2]}"));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badBody, Does.Contain("error_rate must be within 0..1"));
            Assert.That(cleared.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(clearedBody, Is.EqualTo("{}\n"));
        });
    }

    [Test]
    public async Task ControlEndpoint_PeerDownAndUp()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync("/_lab/peers/1/down");
        var down = lab.State.IsDown(lab.Cluster.Peers[1]);
        await lab.PostAsync("/_lab/peers/1/up");

        Assert.That(down, Is.True);
        Assert.That(lab.State.IsDown(lab.Cluster.Peers[1]), Is.False);
    }

    [Test]
    public async Task ControlEndpoint_Seed_AddsDeterministicPinnedCids()
    {
        await using var lab = await LabHarness.StartAsync();
        var result = JsonNode.Parse((await lab.PostAsync("/_lab/seed?count=3")).Body)!;
        var more = JsonNode.Parse((await lab.PostAsync("/_lab/seed?count=2")).Body)!;
        var state = await lab.GetObjectAsync("/_lab/state");

        Assert.Multiple(() =>
        {
            Assert.That(result["seeded"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(more["first"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(state["pins"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(lab.State.StatusOf(LabCids.Synthetic(4), 1), Is.EqualTo("pinned"));
        });
    }

    [Test]
    public async Task ControlEndpoint_SeedWithMeta_EveryPinCarriesTheMetadata()
    {
        await using var lab = await LabHarness.StartAsync();
        await lab.PostAsync("/_lab/seed?count=2&meta-composite-gateway/owner/12D3KooWx=2024-01-01T00:00:00Z&meta-team=ops");

        var pin = lab.Cluster.GetPin(LabCids.Synthetic(1));

        Assert.That(pin!.Metadata, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["composite-gateway/owner/12D3KooWx"] = "2024-01-01T00:00:00Z",
            ["team"] = "ops",
        }));
        Assert.That(lab.State.StatusOf(LabCids.Synthetic(1), 0), Is.EqualTo("pinned"));
    }
}
