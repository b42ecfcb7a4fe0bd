using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class AddEndpointTests
{
    /// <summary><c>ipfs add</c> of "hello world\n" (CIDv0, default chunker): a well-known CID.</summary>
    private const string HelloWorldV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    private static MultipartFormDataContent Files(params (string Path, string? Content)[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var (path, content) in parts)
        {
            var part = content is null ? new ByteArrayContent([]) : new ByteArrayContent(Encoding.UTF8.GetBytes(content));
            part.Headers.ContentType = new MediaTypeHeaderValue(content is null ? "application/x-directory" : "application/octet-stream");
            form.Add(part, "file", Uri.EscapeDataString(path));
        }

        return form;
    }

    private static async Task<(HttpResponseMessage Response, List<JsonObject> Items, string[] Trailer)> AddAsync(LabHarness lab, string query, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/add" + query) { Content = content };
        var response = await lab.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var items = new List<JsonObject>();
        var body = await response.Content.ReadAsStringAsync();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            items.Add(JsonNode.Parse(line)!.AsObject());
        }

        var trailer = response.TrailingHeaders.TryGetValues("X-Stream-Error", out var values) ? values.ToArray() : [];
        return (response, items, trailer);
    }

    [Test]
    public async Task Add_SingleFileStreamed_AnswersKuboCidAndPinsIt()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, items, trailer) = await AddAsync(lab, "?name=greeting&replication=2", Files(("hello.txt", "hello world\n")));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("X-Chunked-Output"), Is.EqualTo(new[] { "1" }));
            Assert.That(response.Headers.Trailer.ToString(), Is.EqualTo("X-Stream-Error"));
            Assert.That(items, Has.Count.EqualTo(1));
            Assert.That(LabHarness.Keys(items[0]), Is.EqualTo(new[] { "name", "cid", "size", "allocations" }));
            Assert.That(items[0]["name"]!.GetValue<string>(), Is.EqualTo("hello.txt"));
            Assert.That(items[0]["cid"]!.GetValue<string>(), Is.EqualTo(HelloWorldV0));
            Assert.That(items[0]["size"]!.GetValue<long>(), Is.EqualTo(20));
            Assert.That(items[0]["allocations"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(trailer, Is.Empty, "the add trailer is only sent on error");
            Assert.That(lab.State.StatusOf(HelloWorldV0, 0), Is.EqualTo("pinned").Or.EqualTo("remote"));
        });
        var pin = await lab.GetObjectAsync($"/allocations/{HelloWorldV0}");
        Assert.That(pin["name"]!.GetValue<string>(), Is.EqualTo("greeting"));
        Assert.That(LabHarness.Canonical(pin["allocations"]!), Is.EqualTo(LabHarness.Canonical(items[0]["allocations"]!)));
    }

    [Test]
    public async Task Add_StreamChannelsFalseWrapProgressCidV1_AnswersArrayWithRootLast()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.SendAsync(HttpMethod.Post, "/add");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/add?stream-channels=false&wrap-with-directory=true&cid-version=1&progress=true")
        {
            Content = Files(("a.txt", "a\n"), ("b.txt", "b\n")),
        };
        using var added = await lab.Http.SendAsync(request);
        var array = JsonNode.Parse(await added.Content.ReadAsStringAsync())!.AsArray();
        var outputs = array.Where(o => o!["cid"] is not null).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "not multipart");
            Assert.That(body, Does.Contain("multipart/form-data"));
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(array.Count(o => o!["cid"] is null && o["bytes"] is not null), Is.EqualTo(2), "progress objects");
            Assert.That(outputs.Select(o => o!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "a.txt", "b.txt", "" }));
            Assert.That(outputs.Select(o => o!["cid"]!.GetValue<string>()), Is.All.StartsWith("baf"));
            Assert.That(lab.State.Store.Count, Is.EqualTo(1), "only the wrapping directory is pinned");
        });
    }

    [Test]
    public async Task Add_Directory_EmitsFilesThenDirectoriesAndPathPinsWalkIt()
    {
        await using var lab = await LabHarness.StartAsync();
        var (_, items, _) = await AddAsync(lab, "", Files(("d", null), ("d/a.txt", "a\n"), ("d/sub", null), ("d/sub/b.txt", "b\n")));
        var names = items.Select(i => i["name"]!.GetValue<string>()).ToList();
        var root = items[^1]["cid"]!.GetValue<string>();
        var file = items.Single(i => i["name"]!.GetValue<string>() == "d/sub/b.txt")["cid"]!.GetValue<string>();

        var (pinned, pinnedBody) = await lab.PostAsync($"/pins/ipfs/{root}/sub/b.txt?name=deep");
        var (missing, _) = await lab.PostAsync($"/pins/ipfs/{root}/nope");

        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EqualTo(new[] { "d/a.txt", "d/sub/b.txt", "d/sub", "d" }));
            Assert.That(pinned.StatusCode, Is.EqualTo(HttpStatusCode.OK), pinnedBody);
            Assert.That(JsonNode.Parse(pinnedBody)!["cid"]!.GetValue<string>(), Is.EqualTo(file));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        });
    }

    [Test]
    public async Task Add_NoPin_StoresBlocksWithoutPinning_GcRemovesThem()
    {
        await using var lab = await LabHarness.StartAsync();
        var (_, items, _) = await AddAsync(lab, "?no-pin=true", Files(("hello.txt", "hello world\n")));
        var blocksBefore = lab.State.Blocks.Count;
        var gc = JsonNode.Parse((await lab.PostAsync("/ipfs/gc")).Body)!;

        Assert.Multiple(() =>
        {
            Assert.That(items[0]["cid"]!.GetValue<string>(), Is.EqualTo(HelloWorldV0));
            Assert.That(lab.State.Store.Count, Is.Zero);
            Assert.That(blocksBefore, Is.EqualTo(1));
            Assert.That(lab.State.Blocks.Count, Is.Zero);
            Assert.That(gc["peer_map"]![lab.Peer(0)]!["keys"]![0]!["key"]!.GetValue<string>(), Is.EqualTo(HelloWorldV0));
        });
    }

    [Test]
    public async Task Add_PinnedContent_CountsItsRealSizeInFreespace()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Capacity = 1 << 30 });
        var content = new string('x', 300_000);
        var (_, items, _) = await AddAsync(lab, "?replication=1", Files(("big.bin", content)));
        var size = items[0]["size"]!.GetValue<long>();
        var peer = lab.Cluster.Peers.Single(p => p.Id == items[0]["allocations"]![0]!.GetValue<string>());

        Assert.That(size, Is.GreaterThan(300_000));
        Assert.That(peer.UsedBytes, Is.EqualTo(size));
    }

    [Test]
    public async Task Add_AllocationImpossible_StreamedErrorGoesToTrailer_BufferedIs500()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, items, trailer) = await AddAsync(lab, "?replication=5", Files(("x", "x")));
        var (buffered, _, _) = await AddAsync(lab, "?replication=5&stream-channels=false", Files(("x", "x")));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(items, Is.Empty);
            Assert.That(trailer.Single(), Does.StartWith("not enough peers to allocate CID."));
            Assert.That(buffered.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        });
    }

    [TestCase("format=zip", "format parameter is invalid")]
    [TestCase("layout=spiral", "layout parameter is invalid")]
    [TestCase("progress=yes", "parameter progress invalid")]
    [TestCase("no-pin=maybe", "parameter no-pin invalid")]
    [TestCase("replication-min=x", "parameter replication-min invalid")]
    public async Task Add_BadParameter_Answers400(string query, string message)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, items, _) = await AddAsync(lab, "?" + query, Files(("x", "x")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(items.Single()["message"]!.GetValue<string>(), Is.EqualTo(message));
    }

    [Test]
    public async Task Add_Car_ImportsBlocksAndPinsTheSingleRoot()
    {
        await using var lab = await LabHarness.StartAsync();
        var blocks = new MemoryBlockStore();
        var entry = await new UnixFsImporter(blocks, new UnixFsImportOptions { CidVersion = 1, ChunkSize = 1024 }).ImportBytesAsync(Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)).ToArray(), CancellationToken.None);
        using var car = new MemoryStream();
        var writer = await CarWriter.CreateAsync(car, [entry.Cid], CancellationToken.None);
        foreach (var cid in blocks.Cids)
        {
            blocks.TryGet(cid, out var block);
            await writer.PutAsync(cid, block, CancellationToken.None);
        }

        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(car.ToArray());
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "upload.car");
        var (response, items, _) = await AddAsync(lab, "?format=car&name=car", form);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(items.Single()["cid"]!.GetValue<string>(), Is.EqualTo(entry.Cid.ToString()));
            Assert.That(items.Single()["size"]!.GetValue<long>(), Is.EqualTo(5000), "UnixFS file size of the root");
            Assert.That(items.Single()["bytes"]!.GetValue<long>(), Is.GreaterThan(5000));
            Assert.That(lab.State.Blocks.Count, Is.EqualTo(blocks.Count));
            Assert.That(lab.State.StatusOf(entry.Cid.ToString(), 0), Is.EqualTo("pinned"));
        });
    }
}
