using System.Net.Http.Headers;
using System.Text;
using CompositeGateway.Clusters;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Clusters;

/// <summary>NDJSON streams (docs/protocol/cluster-rest.md §1.3): items as they arrive, 204, trailers, truncation, batching, memory.</summary>
public sealed class ClusterStreamTests
{
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
    public async Task StreamStatusAsync_ItemsAndEmptyTrailer_AllItemsAndSuccess()
    {
        _server.On("GET", "/pins", RecordedResponse.Stream(StatusLine("bafyone"), StatusLine("bafytwo"), StatusLine("bafythree")));

        var stream = Client.StreamStatusAsync(filter: "pinned,error", cids: null, local: false, CancellationToken.None);
        var cids = new List<string?>();
        await foreach (var item in stream)
        {
            cids.Add(item.Cid);
        }

        var completion = await stream.Completion;
        Assert.That(cids, Is.EqualTo(new[] { "bafyone", "bafytwo", "bafythree" }));
        Assert.That(completion.IsSuccess, Is.True, completion.ToString());
        Assert.That(completion.Value.Items, Is.EqualTo(3));
        Assert.That(_server.Requests.Single().Query, Is.EqualTo("?local=false&filter=pinned%2Cerror"));
    }

    [Test]
    public async Task StreamAllocationsAsync_204_EmptySuccess()
    {
        _server.On("GET", "/allocations", RecordedResponse.NoContent());

        var result = await Client.StreamAllocationsAsync(null, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value, Is.Empty);
    }

    [Test]
    public async Task StreamPeersAsync_StreamErrorTrailer_ItemsThenStreamBroken()
    {
        var id = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests/Clusters/Golden/id.json")).Trim();
        _server.On("GET", "/peers", RecordedResponse.Stream(id, id) with { StreamErrors = ["peer 12D3KooWPeerC: context deadline exceeded"] });

        var stream = Client.StreamPeersAsync(CancellationToken.None);
        var count = 0;
        await foreach (var _ in stream)
        {
            count++;
        }

        var completion = await stream.Completion;
        Assert.That(count, Is.EqualTo(2));
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.StreamBroken));
        Assert.That(completion.Failure!.Detail, Is.EqualTo("peer 12D3KooWPeerC: context deadline exceeded"));
    }

    [Test]
    public async Task StreamAllocationsAsync_ConnectionDroppedMidStream_StreamBrokenAndNotRetried()
    {
        var pin = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests/Clusters/Golden/pin.json")).Trim();
        // The drop waits until the client has the two items: an abort (RST) would otherwise discard them in the kernel.
        var clientHasTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.On("GET", "/allocations", RecordedResponse.Stream(pin, pin, pin, pin) with { DropAfterLines = 2, DropWhen = clientHasTwo.Task });

        var stream = Client.StreamAllocationsAsync("pin", CancellationToken.None);
        var count = 0;
        await foreach (var _ in stream)
        {
            if (++count == 2)
            {
                clientHasTwo.SetResult();
            }
        }

        var completion = await stream.Completion;
        Assert.That(count, Is.EqualTo(2));
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.StreamBroken), completion.ToString());
        Assert.That(_server.Count("GET", "/allocations"), Is.EqualTo(1), "a stream whose body started is never retried");
    }

    [Test]
    public async Task StreamAllocationsAsync_500BeforeFirstItem_HttpStatusNoItems()
    {
        _server.On("GET", "/allocations", RecordedResponse.Error(500, "state not available"));

        var result = await Client.StreamAllocationsAsync(null, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(result.Failure!.Detail, Is.EqualTo("state not available"));
    }

    [Test]
    public async Task StreamAllocationsAsync_UndecodableItem_ItemsBeforeThenBadBody()
    {
        var pin = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests/Clusters/Golden/pin.json")).Trim();
        _server.On("GET", "/allocations", RecordedResponse.Stream(pin, """{"cid":"x","max_depth":"deep"}""", pin));

        var stream = Client.StreamAllocationsAsync(null, CancellationToken.None);
        var count = 0;
        await foreach (var _ in stream)
        {
            count++;
        }

        var completion = await stream.Completion;
        Assert.That(count, Is.EqualTo(1), "the item before the bad one is passed on, none after it");
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.BadBody));
        Assert.That(completion.Failure!.ExpectedType, Is.EqualTo("ClusterPin"));
    }

    [Test]
    public async Task StreamAllocationsAsync_ItemsNotOnePerLine_ReadAsGoReadsThem()
    {
        // ipfs-cluster writes one item per line; Go's decoder also takes items spread over lines or sharing one, and
        // so does the gateway. The long item is longer than the reader's first buffer.
        var pretty = """
            {
              "cid": "bafyspread",
              "allocations": ["12D3KooWPeerA"],
              "metadata": {"note": "a } and a \n inside a string"}
            }
            """;
        var shared = """{"cid":"bafyfirst"}  {"cid":"bafysecond"}""";

        // Spread over 20,002 lines and several reads. Followed token by token: decoding the whole item so far at each
        // newline, as a first version did, took seconds for this one and would take days for one of 16 MiB.
        var tall = "{\n\"cid\": \"bafytall\",\n\"allocations\": [\n"
            + string.Join(",\n", Enumerable.Range(0, 20_000).Select(i => $"\"12D3KooWPeer{i}\""))
            + "]}";
        var longItem = $$"""{"cid":"bafylong","name":"{{new string('n', 200_000)}}"}""";
        _server.On("GET", "/allocations", RecordedResponse.Stream(pretty, shared, tall, longItem, """{"cid":"bafylast"}"""));

        var result = await Client.StreamAllocationsAsync(null, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value.Select(p => p.Cid), Is.EqualTo(new[] { "bafyspread", "bafyfirst", "bafysecond", "bafytall", "bafylong", "bafylast" }));
        Assert.That(result.Value[0].Metadata!["note"], Is.EqualTo("a } and a \n inside a string"));
        Assert.That(result.Value[3].Allocations, Has.Count.EqualTo(20_000));
        Assert.That(result.Value[3].Allocations![19_999], Is.EqualTo("12D3KooWPeer19999"));
        Assert.That(result.Value[4].Name, Has.Length.EqualTo(200_000));
    }

    [Test]
    public Task StreamAllocationsAsync_BodyEndsInsideItem_ItemsBeforeThenBadBody() =>
        AssertFirstItemThenBadBodyAsync(["""{"cid":"bafyfirst"}""", """{"cid":"bafycut","allocations":["12D3KooWPeerA","""], "ends inside an item");

    [Test]
    public Task StreamAllocationsAsync_ItemOverTheLimit_ItemsBeforeThenBadBody() =>
        AssertFirstItemThenBadBodyAsync(
            ["""{"cid":"bafyfirst"}""", $$"""{"cid":"bafyhuge","name":"{{new string('n', NdjsonItems<object>.MaxItemBytes + 1)}}"}""", """{"cid":"bafyafter"}"""],
            $"more than {NdjsonItems<object>.MaxItemBytes} bytes without the end of an item");

    [Test]
    public async Task Stream_ConnectionRefused_NoItemsAndConnectFailure()
    {
        using var harness = new ClusterClientHarness(RecordedClusterServer.RefusingUrl(), ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0 });

        var result = await harness.Client.StreamPeersAsync(CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Connect));
    }

    [Test]
    public async Task Stream_ConsumerBreaksEarly_CompletionSaysSo()
    {
        _server.On("GET", "/pins", RecordedResponse.Stream(StatusLine("bafyone"), StatusLine("bafytwo")));

        var stream = Client.StreamStatusAsync(null, null, local: true, CancellationToken.None);
        await foreach (var _ in stream)
        {
            break;
        }

        var completion = await stream.Completion;
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Cancelled));
    }

    [Test]
    public async Task Stream_NotEnumerated_SendsNothing()
    {
        _ = Client.StreamPeersAsync(CancellationToken.None);
        await Task.Yield();

        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamStatusAsync_ManyCids_SplitIntoRequestsUnderTheLimit()
    {
        var settings = ClusterClientHarness.FastSettings with { MaxRequestTargetLength = 1024 };
        using var harness = new ClusterClientHarness(_server.Url, settings);
        var cids = Enumerable.Range(0, 300).Select(i => $"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbz{i:D4}").ToList();
        _server.On("GET", "/pins", EchoCidsAsync);

        var result = await harness.Client.StreamStatusAsync("pinned", cids, local: false, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value.Select(i => i.Cid), Is.EqualTo(cids));
        var requests = _server.Requests;
        Assert.That(requests, Has.Count.GreaterThan(1));
        Assert.That(requests.Select(r => (_server.Url.AbsolutePath.TrimEnd('/') + r.Path + r.Query).Length), Has.All.LessThanOrEqualTo(1024));
    }

    [Test]
    public async Task StreamStatusAsync_TrailerErrorInOneBatch_LaterBatchesStillRead()
    {
        using var harness = new ClusterClientHarness(_server.Url, ClusterClientHarness.FastSettings with { MaxRequestTargetLength = 120 });
        var cids = Enumerable.Range(0, 12).Select(i => $"bafybeicid{i:D2}").ToList();
        var first = true;
        _server.On("GET", "/pins", async context =>
        {
            var error = first ? "bafybeicid00: context deadline exceeded" : null;
            first = false;
            await EchoCidsAsync(context, error);
        });

        var stream = harness.Client.StreamStatusAsync(null, cids, local: false, CancellationToken.None);
        var seen = new List<string?>();
        await foreach (var item in stream)
        {
            seen.Add(item.Cid);
        }

        var completion = await stream.Completion;
        Assert.That(_server.Requests, Has.Count.GreaterThan(1));
        Assert.That(seen, Is.EqualTo(cids));
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.StreamBroken));
        Assert.That(completion.Failure!.Detail, Is.EqualTo("bafybeicid00: context deadline exceeded"));
    }

    [Test]
    public async Task StreamStatusAsync_EmptyCidList_NoRequest()
    {
        var result = await Client.StreamStatusAsync(null, [], local: false, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.Value, Is.Empty);
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public async Task StreamStatusAsync_ItemsArriveBeforeTheServerFinishes()
    {
        // The server writes 1000 items, then waits until the client has seen them before writing
        // the rest. A client that buffered the body would never see them: the server gives up and
        // drops the connection, and the stream ends broken.
        var clientSawFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.On("GET", "/pins", async context =>
        {
            var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
            await WriteLinesAsync(stream, 0, 1000);
            try
            {
                await clientSawFirstPart.Task.WaitAsync(TimeSpan.FromSeconds(20), context.RequestAborted);
            }
            catch (TimeoutException)
            {
                context.Abort();
                return;
            }

            await WriteLinesAsync(stream, 1000, 2000);
            await stream.EndAsync([]);
        });

        var stream = Client.StreamStatusAsync(null, null, local: false, CancellationToken.None);
        var count = 0;
        await foreach (var _ in stream)
        {
            if (++count == 1000)
            {
                clientSawFirstPart.SetResult();
            }
        }

        var completion = await stream.Completion;
        Assert.That(completion.IsSuccess, Is.True, completion.ToString());
        Assert.That(count, Is.EqualTo(2000));
    }

    [Test]
    public async Task StreamPeersAsync_TricklingStream_EachItemDeliveredBeforeTheNextIsSent()
    {
        // /peers, /add progress: items trickle in. Each must reach the consumer as soon as its line
        // arrives, not when a read buffer fills up or the stream ends.
        var id = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Gateway.Tests/Clusters/Golden/id.json")).Trim();
        var delivered = new SemaphoreSlim(0);
        _server.On("GET", "/peers", async context =>
        {
            var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
            for (var i = 0; i < 3; i++)
            {
                await stream.WriteLinesAsync([id]);
                if (!await delivered.WaitAsync(TimeSpan.FromSeconds(20), context.RequestAborted))
                {
                    context.Abort();
                    return;
                }
            }

            await stream.EndAsync([]);
        });

        var peers = Client.StreamPeersAsync(CancellationToken.None);
        var count = 0;
        await foreach (var _ in peers)
        {
            count++;
            delivered.Release();
        }

        var completion = await peers.Completion;
        Assert.That(completion.IsSuccess, Is.True, completion.ToString());
        Assert.That(count, Is.EqualTo(3));
    }

    [Test]
    public async Task Stream_BodyOutlastsTheAttemptTimeout_NotCut()
    {
        // The undercluster timeout bounds time-to-headers only; a stream's body runs on the caller's token.
        using var harness = new ClusterClientHarness(_server.Url, timeout: TimeSpan.FromMilliseconds(200));
        _server.On("GET", "/pins", async context =>
        {
            var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
            for (var i = 0; i < 4; i++)
            {
                await WriteLinesAsync(stream, i, i + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(150), context.RequestAborted);
            }

            await stream.EndAsync([]);
        });

        var result = await harness.Client.StreamStatusAsync(null, null, local: false, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Stream_CallerCancelsMidBody_CancelledAfterTheItemsSoFar()
    {
        _server.On("GET", "/pins", async context =>
        {
            var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
            await WriteLinesAsync(stream, 0, 2);
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        });
        using var cts = new CancellationTokenSource();

        var stream = Client.StreamStatusAsync(null, null, local: false, cts.Token);
        var count = 0;
        await foreach (var _ in stream)
        {
            if (++count == 2)
            {
                await cts.CancelAsync();
            }
        }

        var completion = await stream.Completion;
        Assert.That(count, Is.EqualTo(2));
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Cancelled));
    }

    [Test]
    public async Task StreamStatusAsync_200kItems_LiveMemoryStaysSmall()
    {
        const int total = 200_000;
        _server.On("GET", "/pins", async context =>
        {
            var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
            for (var i = 0; i < total; i += 500)
            {
                await WriteLinesAsync(stream, i, i + 500);
            }

            await stream.EndAsync([]);
        });

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var started = TimeProvider.System.GetTimestamp();
        long liveMidway = 0;
        var count = 0;
        var stream = Client.StreamStatusAsync(null, null, local: false, CancellationToken.None);
        await foreach (var _ in stream)
        {
            if (++count == total * 3 / 4)
            {
                liveMidway = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            }
        }

        var completion = await stream.Completion;
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var bodyBytes = (long)total * StatusLine("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55f000000").Length;
        TestContext.Out.WriteLine($"streamed {count} GlobalPinInfo ({bodyBytes / 1e6:F1} MB of NDJSON) in {elapsed.TotalSeconds:F2} s "
            + $"({count / elapsed.TotalSeconds:F0} items/s); live heap growth at 75%: {liveMidway / 1e6:F1} MB; "
            + $"allocated (client+server, whole process): {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6:F0} MB");

        Assert.That(completion.IsSuccess, Is.True, completion.ToString());
        Assert.That(count, Is.EqualTo(total));
        Assert.That(liveMidway, Is.LessThan(bodyBytes / 4), "the client holds a sizeable part of the body in memory");
    }

    [Test]
    public async Task AddAsync_Multipart_StreamedUpAndOutputStreamedBack()
    {
        _server.On("POST", "/add", RecordedResponse.Stream(
            """{"name":"a.txt","cid":null,"bytes":5}""",
            """{"name":"a.txt","cid":"bafkreia","size":5,"allocations":["12D3KooWPeerA"]}"""));
        var multipart = new MultipartFormDataContent();
        var file = new StringContent("hello");
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        multipart.Add(file, "file", "a.txt");

        var result = await Client.AddAsync(multipart, new AddRequest { Progress = true, CidVersion = 1 }, CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(result.Value.Select(o => o.Cid), Is.EqualTo(new[] { null, "bafkreia" }));
        var request = _server.Requests.Single();
        Assert.That(request.ContentType, Does.StartWith("multipart/form-data; boundary="));
        Assert.That(Encoding.UTF8.GetString(request.Body), Does.Contain("hello"));
        Assert.That(request.Query, Is.EqualTo("?mode=recursive&stream-channels=true&progress=true&cid-version=1"));
    }

    [Test]
    public async Task AddAsync_NotMultipart_RejectedBeforeSending()
    {
        var result = await Client.AddAsync(new StringContent("x"), new AddRequest(), CancellationToken.None).CollectAsync(CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.InvalidRequest));
        Assert.That(_server.Requests, Is.Empty);
    }

    private const string StatusTemplate =
        """{"cid":"CID","name":"","allocations":null,"origins":[],"created":"2024-05-01T10:11:12Z","metadata":null,"peer_map":{"12D3KooWPeerA":{"peername":"a","status":"pinned","timestamp":"2024-05-01T10:11:40Z","error":"","attempt_count":0,"priority_pin":false}}}""";

    /// <summary>An <c>/allocations</c> body of <paramref name="lines"/> gives its first item, then fails as a bad body saying <paramref name="detail"/>.</summary>
    private async Task AssertFirstItemThenBadBodyAsync(string[] lines, string detail)
    {
        _server.On("GET", "/allocations", RecordedResponse.Stream(lines));

        var stream = Client.StreamAllocationsAsync(null, CancellationToken.None);
        var cids = new List<string?>();
        await foreach (var pin in stream)
        {
            cids.Add(pin.Cid);
        }

        var completion = await stream.Completion;
        Assert.That(cids, Is.EqualTo(new[] { "bafyfirst" }));
        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.BadBody));
        Assert.That(completion.Failure!.Detail, Does.Contain(detail));
    }

    private static string StatusLine(string cid) => StatusTemplate.Replace("CID", cid, StringComparison.Ordinal);

    private static Task EchoCidsAsync(HttpContext context) => EchoCidsAsync(context, null);

    private static async Task EchoCidsAsync(HttpContext context, string? streamError)
    {
        var stream = await RecordedClusterServer.StreamWriter.StartAsync(context);
        await stream.WriteLinesAsync(context.Request.Query["cids"].ToString().Split(',').Select(StatusLine));
        await stream.EndAsync(streamError is null ? [] : [streamError]);
    }

    private static Task WriteLinesAsync(RecordedClusterServer.StreamWriter stream, int from, int to) =>
        stream.WriteLinesAsync(Enumerable.Range(from, to - from).Select(i => StatusLine($"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55f{i:D6}")));
}
