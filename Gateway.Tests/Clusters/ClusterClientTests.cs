using System.Net;
using System.Text;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Clusters;

/// <summary>Single-document calls against a real Kestrel server answering recorded cluster responses.</summary>
public sealed class ClusterClientTests
{
    private const string Cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    // The recorded answers (Golden/) name this CID: the client passes the undercluster's words through.
    private const string GoldenCid = "bafybeiexamplecid";

    private RecordedClusterServer _server = null!;
    private ClusterClientHarness _harness = null!;

    private ClusterClient Client => _harness.Client;

    [SetUp]
    public async Task StartAsync()
    {
        _server = await RecordedClusterServer.StartAsync();
        _harness = new ClusterClientHarness(_server.Url);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _harness.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task GetIdAsync_GoldenAnswer_Decoded()
    {
        _server.On("GET", "/id", RecordedResponse.Golden("id.json"));

        var result = await Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value.Id, Is.EqualTo("12D3KooWPeerA"));
        Assert.That(result.Value.Ipfs.Id, Is.EqualTo("12D3KooWIpfsA"));
        Assert.That(result.Value.ClusterPeers, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task GetIdAsync_WithAuth_SendsBasicCredentials()
    {
        using var harness = new ClusterClientHarness(_server.Url, auth: new ClusterAuthOptions { Username = "gw", Password = "s3cret", PasswordSource = "test" });
        _server.On("GET", "/id", RecordedResponse.Golden("id.json"));

        await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(_server.Requests.Single().Authorization, Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("gw:s3cret"))));
    }

    [Test]
    public async Task PinAsync_Options_SentAsQueryAndPinDecoded()
    {
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Golden("pin.json"));
        var options = new PinRequest { Name = "backup-42", ReplicationMin = 2, ReplicationMax = 3, Metadata = new Dictionary<string, string> { ["owner"] = "gw-a" } };

        var result = await Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), options, CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value.Allocations, Is.EqualTo(new[] { "12D3KooWPeerA", "12D3KooWPeerB" }));
        Assert.That(result.Value.Timestamp, Is.EqualTo(new DateTimeOffset(2024, 5, 1, 10, 11, 12, 500, TimeSpan.Zero)));
        Assert.That(result.Value.Metadata!["owner"], Is.EqualTo("gw-a"));
        Assert.That(_server.Requests.Single().Query, Is.EqualTo("?" + options.ToQueryString()));
    }

    [Test]
    public async Task PinAsync_InvalidOptions_RejectedBeforeSending()
    {
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Golden("pin.json"));

        var result = await Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), new PinRequest { ReplicationMin = 3, ReplicationMax = 2 }, CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.InvalidRequest));
        Assert.That(result.Failure!.Detail, Does.Contain("larger than replication-max"));
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public async Task PinPathAsync_PathWithSegments_EscapedWithoutTrailingSlash()
    {
        _server.On("POST", "/pins/ipfs/" + Cid + "/dir with space/f", RecordedResponse.Golden("pin.json"));

        var result = await Client.PinPathAsync("/ipfs/" + Cid + "/dir with space/f/", new PinRequest { Mode = PinMode.Direct }, CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result + " sent " + _server.Requests.Single().Path);
        Assert.That(_server.Requests.Single().Query, Is.EqualTo("?mode=direct"));
    }

    [Test]
    public async Task PinPathAsync_BareCid_GetsIpfsPrefix()
    {
        _server.On("POST", "/pins/ipfs/" + Cid, RecordedResponse.Golden("pin.json"));

        var result = await Client.PinPathAsync(Cid, null, CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
    }

    [Test]
    public async Task GetAllocationAsync_NotInPinset_NullValueNotFailure()
    {
        _server.On("GET", "/allocations/" + Cid, RecordedResponse.Error(404, "pin is not part of the pinset"));

        var result = await Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value, Is.Null);
    }

    [Test]
    public async Task GetAllocationAsync_InPinset_Pin()
    {
        _server.On("GET", "/allocations/" + Cid, RecordedResponse.Golden("pin.json"));

        var result = await Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.Value?.Cid, Is.EqualTo(GoldenCid));
    }

    [Test]
    public async Task GetAllocationAsync_Other404_HttpStatusFailure()
    {
        // Unknown route: same status, different message (docs/protocol/cluster-rest.md §1) — not an "absent" answer.
        var result = await Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(result.Failure!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(result.Failure.Detail, Is.EqualTo("not found"));
    }

    [Test]
    public async Task UnpinAsync_NotInPinset_NullValue()
    {
        _server.On("DELETE", "/pins/" + Cid, RecordedResponse.Error(404, "pin is not part of the pinset"));

        var result = await Client.UnpinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value, Is.Null);
    }

    [Test]
    public async Task UnpinAsync_Pinned_PinAsItWas()
    {
        _server.On("DELETE", "/pins/" + Cid, RecordedResponse.Golden("pin.json"));

        var result = await Client.UnpinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.Value?.Name, Is.EqualTo("backup-42"));
    }

    [Test]
    public async Task GetStatusAsync_Golden_PeerMapDecoded()
    {
        _server.On("GET", "/pins/" + Cid, RecordedResponse.Golden("global-pin-info.json"));

        var result = await Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, CancellationToken.None);

        Assert.That(result.Value.PeerMap["12D3KooWPeerA"].Status, Is.EqualTo("pinned"));
        Assert.That(result.Value.PeerMap["12D3KooWPeerB"].IpfsPeerId, Is.Null);
        Assert.That(_server.Requests.Single().Query, Is.EqualTo("?local=false"));
    }

    [Test]
    public async Task GetStatusAsync_QueryView_ReadsWhatTheFullDecoderReadsOfTheQuerysMembers()
    {
        // The recorded answer with metadata, so that every member the query reads carries a value.
        var answer = """
            {"cid":"bafybeiexamplecid","name":"backup-42","allocations":["12D3KooWPeerA"],"origins":["/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWO"],"created":"2024-05-01T10:11:12Z","metadata":{"composite-gateway:12D3KooWG":"1","shape":"recursive/-1/-1"},"peer_map":{"12D3KooWPeerA":{"peername":"a","ipfs_peer_id":"12D3KooWIpfsA","ipfs_peer_addresses":["/ip4/1.2.3.4/tcp/4001"],"status":"pinned","timestamp":"2024-05-01T10:11:40Z","error":"","attempt_count":1,"priority_pin":true},"12D3KooWPeerB":{"peername":"b","status":"pin_error","timestamp":"2024-05-01T10:11:41Z","error":"context deadline exceeded","attempt_count":3,"priority_pin":false}}}
            """;
        _server.On("GET", "/pins/" + Cid, RecordedResponse.Json(answer));

        var full = (await Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, CancellationToken.None)).Value;
        var trimmed = (await Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, QueryView.Status, CancellationToken.None)).Value;

        Assert.Multiple(() =>
        {
            Assert.That((trimmed.Cid, trimmed.Name), Is.EqualTo((full.Cid, full.Name)));
            Assert.That(trimmed.Allocations, Is.EqualTo(full.Allocations));
            Assert.That(trimmed.Metadata, Is.EqualTo(full.Metadata));
            Assert.That(trimmed.PeerMap.Keys, Is.EqualTo(full.PeerMap.Keys));
            foreach (var (peer, info) in full.PeerMap)
            {
                Assert.That((trimmed.PeerMap[peer].Status, trimmed.PeerMap[peer].Peername, trimmed.PeerMap[peer].Error), Is.EqualTo((info.Status, info.Peername, info.Error)), peer);
            }

            Assert.That(trimmed.PeerMap["12D3KooWPeerA"].IpfsPeerId, Is.Null, "members the query does not read are not decoded");
            Assert.That(full.PeerMap["12D3KooWPeerA"].IpfsPeerId, Is.EqualTo("12D3KooWIpfsA"));
        });
    }

    [Test]
    public async Task GetStatusAsync_QueryView_MembersLeftOut_ReadAsGoZeroValues()
    {
        _server.On("GET", "/pins/" + Cid, RecordedResponse.Json("""{"cid":"bafybeiexamplecid"}"""));

        var result = await Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, QueryView.Status, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Value.Name, Is.Empty);
            Assert.That(result.Value.Allocations, Is.Null);
            Assert.That(result.Value.Metadata, Is.Null);
            Assert.That(result.Value.PeerMap, Is.Empty, "no peer_map is no peers, as Go reads an absent map");
        });
    }

    [TestCase("""{"cid":"bafybeiexamplecid","allocations":[1]}""", "allocations")]
    [TestCase("""{"cid":"bafybeiexamplecid","metadata":{"k":1}}""", "metadata")]
    [TestCase("""{"cid":"bafybeiexamplecid","metadata":["k"]}""", "metadata")]
    [TestCase("""{"cid":"bafybeiexamplecid","peer_map":{"p":{"status":7}}}""", "status")]
    [TestCase("""{"cid":"bafybeiexamplecid","peer_map":[]}""", "peer_map")]
    public async Task GetStatusAsync_QueryView_WrongKindOfValue_BadBody(string answer, string member)
    {
        _server.On("GET", "/pins/" + Cid, RecordedResponse.Json(answer));

        var result = await Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, QueryView.Status, CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.BadBody), member);
        Assert.That(result.Failure!.ExpectedType, Is.EqualTo("GlobalPinInfo"));
    }

    [Test]
    public async Task RecoverAsync_Local_PostsWithLocalTrue()
    {
        _server.On("POST", "/pins/" + Cid + "/recover", RecordedResponse.Golden("global-pin-info.json"));

        var result = await Client.RecoverAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: true, CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(_server.Requests.Single().Query, Is.EqualTo("?local=true"));
    }

    [Test]
    public async Task GetMetricsAsync_Freespace_Decoded()
    {
        _server.On("GET", "/monitor/metrics/freespace", RecordedResponse.Golden("metrics-freespace.json"));

        var result = await Client.GetMetricsAsync("freespace", CancellationToken.None);

        Assert.That(result.Value.Single().Weight, Is.EqualTo(107374182400));
    }

    [Test]
    public async Task GetMetricsAsync_NullBody_EmptyList()
    {
        _server.On("GET", "/monitor/metrics/reposize", RecordedResponse.Json("null"));

        var result = await Client.GetMetricsAsync("reposize", CancellationToken.None);

        Assert.That(result.Value, Is.Empty);
    }

    [Test]
    public async Task RepoGcAsync_Golden_PerPeerErrorsKept()
    {
        _server.On("POST", "/ipfs/gc", RecordedResponse.Golden("repo-gc.json"));

        var result = await Client.RepoGcAsync(local: false, CancellationToken.None);

        Assert.That(result.Value.PeerMap["12D3KooWPeerB"].Error, Is.EqualTo("ipfs unreachable"));
        Assert.That(result.Value.PeerMap["12D3KooWPeerA"].Keys.Single().Key, Is.EqualTo("bafkreiexamplegone"));
    }

    [Test]
    public async Task Call_ConnectionRefused_ConnectFailureNamingTheUrl()
    {
        var url = RecordedClusterServer.RefusingUrl();
        using var harness = new ClusterClientHarness(url);

        var result = await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Connect));
        Assert.That(ClusterFailureMessages.Describe(result.Failure!), Is.EqualTo($"undercluster \"eu\" unreachable: connection refused ({url.OriginalString})"));
    }

    [Test]
    public async Task Call_ServerHangs_TimeoutFailure()
    {
        using var harness = new ClusterClientHarness(_server.Url, timeout: TimeSpan.FromMilliseconds(300));
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Hanging());

        var result = await harness.Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Timeout));
        Assert.That(result.Failure!.TimeoutAfter, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
    }

    [Test]
    public async Task Call_CallerCancels_CancelledFailure()
    {
        _server.On("GET", "/id", RecordedResponse.Hanging());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await Client.GetIdAsync(cts.Token);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Cancelled));
    }

    [Test]
    public async Task Call_500WithJson_HttpStatusWithClusterMessage()
    {
        const string message = "not enough peers to allocate CID. Needed at least: 3. Wanted at most: 3. Available candidates: 2. See logs for more info.";
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Error(500, message));

        var result = await Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(result.Failure!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(result.Failure.Detail, Is.EqualTo(message));
    }

    [Test]
    public async Task Call_400FollowedBySecondDocument_FirstMessageOnly()
    {
        // docs/protocol/cluster-rest.md §1.2 caveat: after an option parse error the server appends the pin it still made.
        _server.On("POST", "/pins/" + Cid, new RecordedResponse { Status = 400, Body = "{\"code\":400,\"message\":\"parameter replication-min invalid\"}\n" + File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests/Clusters/Golden/pin.json")) });

        var result = await Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);

        Assert.That(result.Failure?.Detail, Is.EqualTo("parameter replication-min invalid"));
        Assert.That(result.Failure!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Call_401_UnauthorizedFailure()
    {
        _server.On("GET", "/id", RecordedResponse.Error(401, "unauthorized: access denied"));

        var result = await Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Unauthorized));
        Assert.That(result.Failure!.Detail, Is.EqualTo("unauthorized: access denied"));
    }

    [Test]
    public async Task Call_NonJsonErrorBody_RawTextAsDetail()
    {
        _server.On("GET", "/id", new RecordedResponse { Status = 502, Body = "<html>Bad Gateway</html>", Headers = new Dictionary<string, string> { ["Content-Type"] = "text/html" } });
        using var harness = new ClusterClientHarness(_server.Url, ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0 });

        var result = await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(result.Failure!.Detail, Is.EqualTo("<html>Bad Gateway</html>"));
    }

    [Test]
    public async Task Call_Redirect_NotFollowedButFailure()
    {
        _server.On("GET", "/id", new RecordedResponse { Status = 307, Headers = new Dictionary<string, string> { ["Location"] = "/elsewhere" } });
        _server.On("GET", "/elsewhere", RecordedResponse.Golden("id.json"));

        var result = await Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(result.Failure!.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
        Assert.That(_server.Count("GET", "/elsewhere"), Is.Zero);
    }

    [Test]
    public async Task Call_UndecodableBody_BadBodyNamingTheType()
    {
        _server.On("GET", "/allocations/" + Cid, RecordedResponse.Json("""{"cid":"bafy","replication_factor_min":"two"}"""));

        var result = await Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.BadBody));
        Assert.That(result.Failure!.ExpectedType, Is.EqualTo("ClusterPin"));
        Assert.That(result.Failure.Detail, Does.Contain("replication_factor_min"));
    }

    [Test]
    public async Task Call_TruncatedJson_BadBody()
    {
        _server.On("GET", "/id", RecordedResponse.Json("""{"id":"12D3Koo"""));

        var result = await Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.BadBody));
    }
}
