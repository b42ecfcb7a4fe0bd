using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Lab;

/// <summary>The cluster's IPFS facet (<see cref="EmulatedClusterOptions.IpfsListen"/>): Kubo RPC reads over the blocks it holds.</summary>
public sealed class IpfsFacetTests
{
    private static async Task<(LabHarness Lab, HttpClient Ipfs)> StartAsync(EmulatedClusterOptions? options = null)
    {
        var lab = await LabHarness.StartAsync((options ?? new EmulatedClusterOptions()) with { IpfsListen = "127.0.0.1:0" });
        return (lab, new HttpClient { BaseAddress = new Uri(lab.Cluster.IpfsBaseAddress!, "api/v0/") });
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(HttpClient ipfs, string command)
    {
        var response = await ipfs.PostAsync(command, null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>d/a.txt (the content's bytes) and d/b.txt ("b\n"), CIDv1 raw leaves, 1 KiB chunks.</summary>
    private static async Task<(string Dir, string File)> AddDirectoryAsync(LabHarness lab, LabContent content)
    {
        using var form = new MultipartFormDataContent();
        var dir = new ByteArrayContent([]);
        dir.Headers.ContentType = new MediaTypeHeaderValue("application/x-directory");
        form.Add(dir, "file", "d");
        var a = new ByteArrayContent(content.Bytes);
        a.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(a, "file", Uri.EscapeDataString("d/a.txt"));
        var b = new ByteArrayContent("b\n"u8.ToArray());
        b.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(b, "file", Uri.EscapeDataString("d/b.txt"));
        using var response = await lab.Http.PostAsync("/add?cid-version=1&raw-leaves=true&chunker=size-1024", form);
        var items = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        return (items.Single(i => i["name"]!.GetValue<string>() == "d")["cid"]!.GetValue<string>(),
                items.Single(i => i["name"]!.GetValue<string>() == "d/a.txt")["cid"]!.GetValue<string>());
    }

    [Test]
    public async Task Cat_StreamsTheAddedFile_WholeAndByOffsetLength_AlsoThroughADirectoryPath()
    {
        var (lab, ipfs) = await StartAsync();
        await using var _ = lab;
        using var __ = ipfs;
        var content = await LabContent.FileAsync(10_000);
        var (dir, file) = await AddDirectoryAsync(lab, content);

        var whole = await ipfs.PostAsync($"cat?arg={file}", null);
        var part = await ipfs.PostAsync($"cat?arg=/ipfs/{dir}/a.txt&offset=1500&length=3000", null);
        var tail = await ipfs.PostAsync($"cat?arg={file}&offset=9990", null);

        Assert.Multiple(async () =>
        {
            Assert.That(file, Is.EqualTo(content.Root.ToString()));
            Assert.That(await whole.Content.ReadAsByteArrayAsync(), Is.EqualTo(content.Bytes));
            Assert.That(whole.Headers.GetValues("X-Stream-Output").Single(), Is.EqualTo("1"));
            Assert.That(await part.Content.ReadAsByteArrayAsync(), Is.EqualTo(content.Bytes[1500..4500]));
            Assert.That(await tail.Content.ReadAsByteArrayAsync(), Is.EqualTo(content.Bytes[9990..]));
        });
    }

    [Test]
    public async Task BlockGetStat_DagGet_RefsLs_AnswerInKubosShapes()
    {
        var (lab, ipfs) = await StartAsync();
        await using var _ = lab;
        using var __ = ipfs;
        var content = await LabContent.FileAsync(3000);
        var (dir, file) = await AddDirectoryAsync(lab, content);
        content.Blocks.TryGet(content.Root, out var rootBytes);
        var node = DagPb.Decode(rootBytes.Span);

        var blockGet = await ipfs.PostAsync($"block/get?arg={file}", null);
        var (_, stat, _) = await PostAsync(ipfs, $"block/stat?arg={file}");
        var (_, dag, _) = await PostAsync(ipfs, $"dag/get?arg={file}");
        var (_, rawDag, _) = await PostAsync(ipfs, $"dag/get?arg={content.NonRoot[0]}");
        var (_, refs, _) = await PostAsync(ipfs, $"refs?arg={dir}&recursive=true");
        var (_, uniqueRefs, _) = await PostAsync(ipfs, $"refs?arg={dir}&arg={file}&unique=true");
        var (_, ls, _) = await PostAsync(ipfs, $"ls?arg={dir}");

        var dagJson = JsonNode.Parse(dag)!;
        var refLines = refs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["Ref"]!.GetValue<string>()).ToList();
        var lsLinks = JsonNode.Parse(ls)!["Objects"]![0]!["Links"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(await blockGet.Content.ReadAsByteArrayAsync(), Is.EqualTo(rootBytes.ToArray()));
            Assert.That(JsonNode.Parse(stat)!.ToJsonString(), Is.EqualTo($$"""{"Key":"{{file}}","Size":{{rootBytes.Length}}}"""));
            Assert.That(dagJson["Data"]!["/"]!["bytes"]!.GetValue<string>(), Is.EqualTo(Convert.ToBase64String(node.Data!.Value.Span).TrimEnd('=')));
            Assert.That(dagJson["Links"]!.AsArray(), Has.Count.EqualTo(3));
            Assert.That(dagJson["Links"]![0]!.ToJsonString(), Is.EqualTo($$"""{"Hash":{"/":"{{node.Links[0].Hash}}"},"Name":"","Tsize":{{node.Links[0].Tsize}}}"""));
            Assert.That(JsonNode.Parse(rawDag)!["/"]!["bytes"], Is.Not.Null);
            Assert.That(refLines, Has.Count.EqualTo(2 + content.NonRoot.Count), "a.txt, its 3 leaves, b.txt");
            Assert.That(refLines, Does.Contain(file));
            Assert.That(uniqueRefs.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2 + 3), "dir's 2 children, then a.txt's 3 leaves");
            Assert.That(JsonNode.Parse(ls)!["Objects"]![0]!["Hash"]!.GetValue<string>(), Is.EqualTo(dir));
            Assert.That(lsLinks.Select(l => l!["Name"]!.GetValue<string>()), Is.EqualTo(new[] { "a.txt", "b.txt" }));
            Assert.That(lsLinks[0]!["Size"]!.GetValue<long>(), Is.EqualTo(3000));
            Assert.That(lsLinks[0]!["Type"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(lsLinks[0]!["Hash"]!.GetValue<string>(), Is.EqualTo(file));
        });
    }

    [Test]
    public async Task Errors_AreKubos_MissingBlockAnsweredAtOnceLikeOfflineMode()
    {
        var (lab, ipfs) = await StartAsync(new EmulatedClusterOptions { RequireBlocks = true });
        await using var _ = lab;
        using var __ = ipfs;
        var content = await LabContent.FileAsync(3000);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: [content.Root]), "no-pin=true");
        var leaf = content.NonRoot[0];

        var (catStatus, catBody, _) = await PostAsync(ipfs, $"cat?arg={content.Root}");
        var (blockStatus, blockBody, _) = await PostAsync(ipfs, $"block/get?arg={leaf}");
        var (noArgStatus, noArgBody, _) = await PostAsync(ipfs, "cat");
        var (badStatus, badBody, _) = await PostAsync(ipfs, "block/stat?arg=notacid");
        var get = await ipfs.GetAsync($"cat?arg={content.Root}");

        Assert.Multiple(() =>
        {
            Assert.That(catStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(JsonNode.Parse(catBody)!["Message"]!.GetValue<string>(), Does.StartWith("block was not found locally (offline): ipld: could not find "));
            Assert.That(JsonNode.Parse(catBody)!["Code"]!.GetValue<int>(), Is.Zero);
            Assert.That(JsonNode.Parse(catBody)!["Type"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(blockStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(JsonNode.Parse(blockBody)!["Message"]!.GetValue<string>(), Is.EqualTo($"block was not found locally (offline): ipld: could not find {leaf}"));
            Assert.That(noArgStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noArgBody, Is.EqualTo("{\"Message\":\"argument \\\"ipfs-path\\\" is required\",\"Code\":1,\"Type\":\"error\"}\n"), "Go's encoding/json escapes quotes as \\\"");
            Assert.That(badStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(badBody, Does.Contain("invalid path \\\"notacid\\\""));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        });
    }

    [Test]
    public async Task KuboRpcClient_CatBlockDagLsRefsIdVersion_AgainstTheFacet()
    {
        NodeClients.RequireInstalled();
        var (lab, ipfs) = await StartAsync();
        await using var _ = lab;
        using var __ = ipfs;
        var content = await LabContent.FileAsync(5000);
        var (dir, file) = await AddDirectoryAsync(lab, content);

        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const { CID } = await import('multiformats/cid');
              const ipfs = create({ url: '{{lab.Cluster.IpfsBaseAddress}}api/v0' });
              const out = {};
              const chunks = [];
              for await (const c of ipfs.cat('{{file}}')) chunks.push(Buffer.from(c));
              out.cat = Buffer.concat(chunks).toString('base64');
              const part = [];
              for await (const c of ipfs.cat('/ipfs/{{dir}}/a.txt', { offset: 100, length: 50 })) part.push(Buffer.from(c));
              out.part = Buffer.concat(part).toString('base64');
              const cid = CID.parse('{{file}}');
              out.block = Buffer.from(await ipfs.block.get(cid)).toString('base64');
              const stat = await ipfs.block.stat(cid);
              out.stat = { cid: stat.cid.toString(), size: stat.size };
              const dag = await ipfs.dag.get(cid);
              out.dagLinks = dag.value.Links.map(l => l.Hash.toString());
              out.ls = [];
              for await (const e of ipfs.ls('{{dir}}')) out.ls.push({ name: e.name, cid: e.cid.toString(), size: e.size, type: e.type });
              out.refs = [];
              for await (const r of ipfs.refs('{{dir}}', { recursive: true })) out.refs.push(r.ref);
              out.id = (await ipfs.id()).id.toString();
              out.version = (await ipfs.version()).version;
              try { await ipfs.block.get(CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')); out.missing = 'ok'; } catch (e) { out.missing = e.message; }
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        content.Blocks.TryGet(content.Root, out var rootBytes);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.FromBase64String(output.GetProperty("cat").GetString()!), Is.EqualTo(content.Bytes));
            Assert.That(Convert.FromBase64String(output.GetProperty("part").GetString()!), Is.EqualTo(content.Bytes[100..150]));
            Assert.That(Convert.FromBase64String(output.GetProperty("block").GetString()!), Is.EqualTo(rootBytes.ToArray()));
            Assert.That(output.GetProperty("stat").GetProperty("cid").GetString(), Is.EqualTo(file));
            Assert.That(output.GetProperty("stat").GetProperty("size").GetInt32(), Is.EqualTo(rootBytes.Length));
            Assert.That(output.GetProperty("dagLinks").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(content.NonRoot.Select(c => c.ToString())));
            Assert.That(output.GetProperty("ls").EnumerateArray().Select(e => e.GetProperty("name").GetString() + " " + e.GetProperty("type").GetString()), Is.EqualTo(new[] { "a.txt file", "b.txt file" }));
            Assert.That(output.GetProperty("ls")[0].GetProperty("cid").GetString(), Is.EqualTo(file));
            Assert.That(output.GetProperty("ls")[0].GetProperty("size").GetInt64(), Is.EqualTo(5000));
            Assert.That(output.GetProperty("refs").EnumerateArray().Select(e => e.GetString()).ToList(), Does.Contain(file).And.Count.EqualTo(2 + content.NonRoot.Count));
            Assert.That(output.GetProperty("id").GetString(), Is.EqualTo(lab.Cluster.Peers[0].IpfsId));
            Assert.That(output.GetProperty("version").GetString(), Does.Match(@"^\d+\.\d+\.\d+$"));
            Assert.That(output.GetProperty("missing").GetString(), Does.StartWith("block was not found locally (offline)"));
        });
    }

    [Test]
    public async Task Cat_LargeFile_StreamsWithoutAssemblingIt()
    {
        var (lab, ipfs) = await StartAsync();
        await using var _ = lab;
        using var __ = ipfs;
        var content = await LabContent.FileAsync(8 << 20, chunkSize: 262_144);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(), "");

        using var response = await ipfs.PostAsync($"cat?arg={content.Root}", null, CancellationToken.None);
        var hash = await System.Security.Cryptography.SHA256.HashDataAsync(await response.Content.ReadAsStreamAsync());

        Assert.That(response.Headers.GetValues("X-Content-Length").Single(), Is.EqualTo((8 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(hash, Is.EqualTo(System.Security.Cryptography.SHA256.HashData(content.Bytes)));
    }
}
