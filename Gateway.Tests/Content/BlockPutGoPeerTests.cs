using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Composition;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// The overcluster add as a replayed Go ipfs-cluster peer plays it (docs/protocol/kubo-rpc-as-called-by-cluster.md
/// §4.12): one chunked <c>block/put</c> multipart stream with a 10 MiB file's DAG, then <c>pin/add</c> of the root,
/// through one gateway over three emulated underclusters, and the failures that must never end cleanly.
/// </summary>
public sealed class BlockPutGoPeerTests
{
    private static readonly Lazy<Task<ContentDag>> TenMiB = new(() => ContentDag.BuildAsync(10 * 1024 * 1024, seed: 10));

    [TestCase("replicate")]
    [TestCase("spread")]
    [TestCase("failover")]
    public async Task GoPeer_BlockStreamThenPinRoot_PinnedUnderRequireBlocksEveryBlockInEveryUndercluster(string policy)
    {
        var dag = await TenMiB.Value;

        // --require-blocks: a pin stays pinning until the undercluster holds every block of its DAG.
        await using var fixture = await MultiClusterFixture.StartAsync(configure: (_, options) => options with { RequireBlocks = true });
        var (gateway, go) = await fixture.StartKuboAsync(Policy(policy));
        using var connector = go;

        var put = await go.BlockStreamAsync(dag.StreamAsync(), dag.Blocks[0].Cid);

        Assert.That(put.Error, Is.Null, put.Error?.Text);
        Assert.That(put.Value!, Has.Count.EqualTo(dag.Blocks.Count), "one Key per block");
        Assert.That(
            put.Value!.Select(k => Cid.Parse(k).Multihash),
            Is.EqualTo(dag.Blocks.Select(b => b.Cid.Multihash)),
            "Keys match the sent blocks by multihash, in order");
        foreach (var cluster in fixture.Clusters)
        {
            var missing = dag.Blocks.Count(b => !cluster.State.Blocks.TryGet(b.Cid, out _));
            Assert.That(missing, Is.Zero, $"blocks missing in {cluster.Name} under {policy}");
        }

        Assert.That((await go.PinAsync(dag.Root.ToString())).Error, Is.Null);
        var holders = fixture.Clusters.Where(c => fixture.Pinset(c.Name).Contains(dag.Root.ToString())).ToList();
        Assert.That(holders, Has.Count.EqualTo(policy == "replicate" ? 3 : 1), "the root pinned where the policy put it");
        Assert.That(gateway.Placement.Members.Select(m => m.Name), Is.SupersetOf(holders.Select(h => h.Name)));
    }

    [Test]
    public async Task GoPeer_PinWithoutBlockStream_StaysPinningUnderRequireBlocks()
    {
        var dag = await ContentDag.BuildAsync(1024 * 1024, seed: 15);
        await using var fixture = await MultiClusterFixture.StartAsync(configure: (_, options) => options with { RequireBlocks = true });
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Failover });
        using var connector = go;
        using var shortWait = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var pin = await go.PinAsync(dag.Root.ToString(), cancellationToken: shortWait.Token);

        Assert.That(pin.Error, Is.Not.Null, "the control: without the blocks the emulator never reports the pin pinned");
    }

    [Test]
    public async Task GoPeer_UnderclusterKnownDown_StreamGoesToTheHealthyOnes()
    {
        var dag = await ContentDag.BuildAsync(1024 * 1024, seed: 11);
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var __ = go;
        await fixture.TakeDownAsync("a");

        var put = await go.BlockStreamAsync(dag.StreamAsync(), dag.Blocks[0].Cid);

        Assert.That(put.Error, Is.Null, put.Error?.Text);
        Assert.That(fixture["b"].State.Blocks.Count, Is.EqualTo(dag.Blocks.Count));
        Assert.That(fixture["c"].State.Blocks.Count, Is.EqualTo(dag.Blocks.Count));
        Assert.That((await go.PinAsync(dag.Root.ToString())).Error, Is.Null);
    }

    [Test]
    public async Task GoPeer_UnderclusterRefusesImport_NoCleanAnswerNothingPinned()
    {
        var dag = await ContentDag.BuildAsync(2 * 1024 * 1024, seed: 12);
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var __ = go;
        fixture["b"].Faults.Set(new LabFaults { ErrorRate = 1, Paths = ["/add"] });

        var put = await go.BlockStreamAsync(dag.StreamAsync(), dag.Blocks[0].Cid);

        Assert.That(put.Error, Is.Not.Null, "an undercluster that refused the import: never a clean answer");
        TestContext.Out.WriteLine(put.Error!.Text);
        AssertNothingPinned(fixture);
    }

    [Test]
    public async Task GoPeer_UnderclusterGoesDownMidImport_NoCleanAnswerNothingPinned()
    {
        var dag = await ContentDag.BuildAsync(4 * 1024 * 1024, seed: 13);
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Failover });
        using var __ = go;

        // Health still says "up": the gateway sends to c and must notice the import break mid-way.
        var put = await go.BlockStreamAsync(
            dag.StreamAsync(async i =>
            {
                if (i == dag.Blocks.Count / 2)
                {
                    await fixture["c"].GoDownAsync();
                }
            }),
            dag.Blocks[0].Cid);

        Assert.That(put.Error, Is.Not.Null, "an import broken mid-way: never a clean answer");
        TestContext.Out.WriteLine(put.Error!.Text);
        AssertNothingPinned(fixture);
    }

    [Test]
    public async Task GoPeer_DisconnectsMidUpload_ImportsAbortedNothingPinned()
    {
        var dag = await ContentDag.BuildAsync(4 * 1024 * 1024, seed: 14);
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var __ = go;
        using var disconnect = new CancellationTokenSource();

        var put = await go.BlockStreamAsync(
            dag.StreamAsync(async i =>
            {
                if (i == dag.Blocks.Count / 2)
                {
                    await disconnect.CancelAsync();
                }
            }),
            dag.Blocks[0].Cid,
            disconnect.Token);

        Assert.That(put.Error, Is.Not.Null);
        AssertNothingPinned(fixture);

        // The underclusters' imports were aborted: no block of the second half ever arrives.
        await Task.Delay(500);
        var last = dag.Blocks[^1].Cid;
        Assert.That(fixture.Clusters.Where(c => c.State.Blocks.TryGet(last, out _)), Is.Empty, "the root never reached an undercluster");
    }

    [TestCase("block/put", "text/plain", "hello", 400, "argument \"data\" is required")]
    [TestCase("block/put", "multipart/form-data; boundary=xyz", "garbage without boundaries", 400, "failed to read the multipart body")]
    [TestCase("block/put", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhalf a blo", 400, "failed to read the multipart body")]
    [TestCase("block/put", "multipart/form-data; boundary=xyz", "--xyz--\r\n", 400, "argument \"data\" is required")]
    [TestCase("block/put?mhtype=nope", "multipart/form-data; boundary=xyz", "--xyz--\r\n", 500, "unrecognized multihash function: nope")]
    [TestCase("dag/put", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n{\"a\":\r\n--xyz--\r\n", 500, "dag-json:")]
    [TestCase("dag/put?store-codec=nope", "multipart/form-data; boundary=xyz", "--xyz--\r\n", 500, "unknown multicodec: \"nope\"")]
    public async Task BadUpload_KuboErrorAndNothingStored(string pathAndQuery, string contentType, string body, int status, string message)
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var connector = go;
        using var http = new HttpClient();
        using var content = new StringContent(body);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await http.PostAsync(go.ApiUrl + "/" + pathAndQuery, content);

        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        using var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(error.RootElement.GetProperty("Message").GetString(), Does.StartWith(message));
        Assert.That(error.RootElement.GetProperty("Type").GetString(), Is.EqualTo("error"));
        Assert.That(fixture.Clusters.Sum(c => c.State.Blocks.Count), Is.Zero, "nothing stored");
        AssertNothingPinned(fixture);
    }

    [Test]
    public async Task DagPut_InvalidUtf8InAString_KuboErrorAndNothingStored()
    {
        // Found by the randomized bad-input run: the reader validates a string's UTF-8 only when its text is read,
        // and that failure escaped as an unexpected error.
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var connector = go;
        using var http = new HttpClient();
        byte[] body = [.. "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n{\"a\":\""u8, 0xFC, .. "\"}\r\n--xyz--\r\n"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");

        using var response = await http.PostAsync(go.ApiUrl + "/dag/put", content);

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        using var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(error.RootElement.GetProperty("Message").GetString(), Does.StartWith("dag-json: "));
        Assert.That(error.RootElement.GetProperty("Type").GetString(), Is.EqualTo("error"));
        Assert.That(fixture.Clusters.Sum(c => c.State.Blocks.Count), Is.Zero, "nothing stored");
        AssertNothingPinned(fixture);
    }

    private static PlacementOptions Policy(string policy) => policy switch
    {
        "replicate" => new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 },
        "spread" => new PlacementOptions { Policy = PlacementPolicy.Spread },
        _ => new PlacementOptions { Policy = PlacementPolicy.Failover },
    };

    private static void AssertNothingPinned(MultiClusterFixture fixture)
    {
        foreach (var cluster in fixture.Clusters.Where(c => c.IsUp))
        {
            Assert.That(fixture.Pinset(cluster.Name), Is.Empty, $"nothing pinned in {cluster.Name}");
        }
    }
}
