using System.Net.Http.Headers;
using System.Text;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Composition;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// kubo-rpc-client@7.1.0's <c>add</c> through one gateway over three emulated underclusters with
/// <c>--require-blocks</c>: the upload reaches every healthy undercluster, the CIDs are ipfs-only-hash@4.0.0's
/// (files) and ipfs-unixfs-importer's (the wrapped directory), each root is pinned where the policy puts it with
/// this gateway as owner, and every block is in every undercluster. One undercluster failing mid-add: never a
/// clean answer, nothing pinned anywhere.
/// </summary>
public sealed class AddMultiClusterTests
{
    private const string OwnerKey = "composite-gateway/owner/" + CompositionHarness.OwnerA;

    [TestCase("replicate")]
    [TestCase("spread")]
    [TestCase("failover")]
    public async Task KuboRpcClient_AddFileAndWrappedDirectory_CidsMatchPinnedPerPolicyBlocksEverywhere(string policy)
    {
        NodeClients.RequireInstalled();
        using var data = AddTestData.Create();
        var oneMiB = data.File("one-mib", 1 << 20, seed: 21);
        var small = data.File("small.txt", 300, seed: 22);
        var nested = data.File("nested.bin", 700_000, seed: 23);
        await using var fixture = await MultiClusterFixture.StartAsync(configure: (_, options) => options with { RequireBlocks = true });
        var (_, go) = await fixture.StartKuboAsync(Policy(policy));
        using var connector = go;

        var script = $$"""
            const fs = require('fs');
            const hash = require('ipfs-only-hash');
            const { importer } = require('ipfs-unixfs-importer');
            const block = { get: async () => { throw new Error('get') }, put: async () => {} };
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const ipfs = create({ url: '{{go.ApiUrl}}' });
              const out = {};
              out.file = (await ipfs.add(fs.createReadStream('{{oneMiB}}'))).cid.toString();
              out.fileExpected = await hash.of(fs.createReadStream('{{oneMiB}}'));
              const entries = [{ path: 'dir/small.txt', file: '{{small}}' }, { path: 'dir/sub/nested.bin', file: '{{nested}}' }];
              out.paths = [];
              for await (const r of ipfs.addAll(entries.map(e => ({ path: e.path, content: fs.createReadStream(e.file) })), { wrapWithDirectory: true })) {
                out.paths.push(r.path); out.wrapped = r.cid.toString();
              }
              let last;
              for await (const e of importer(entries.map(x => ({ path: x.path, content: fs.createReadStream(x.file) })), block, { wrapWithDirectory: true })) { last = e; }
              out.wrappedExpected = last.cid.toString();
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = AddTestData.Parse(result.Stdout);
        string S(string name) => output.GetProperty(name).GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(S("file"), Is.EqualTo(S("fileExpected")), "file CID equals ipfs-only-hash's");
            Assert.That(S("wrapped"), Is.EqualTo(S("wrappedExpected")), "wrapped root equals ipfs-unixfs-importer's");
            Assert.That(output.GetProperty("paths").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "dir/small.txt", "dir/sub/nested.bin", "dir/sub", "dir", "" }));
        });

        foreach (var root in new[] { S("file"), S("wrapped") })
        {
            var holders = fixture.Clusters.Where(c => c.GetPin(root) is not null).ToList();
            Assert.That(holders, Has.Count.EqualTo(policy == "replicate" ? 3 : 1), $"{root} pinned where {policy} puts it");
            Assert.That(holders.Select(h => h.GetPin(root)!.Metadata), Has.All.ContainKey(OwnerKey), root + " owned by this gateway");
            foreach (var cluster in fixture.Clusters)
            {
                Assert.That(AddTestData.MissingBlocks(cluster, root), Is.Empty, $"{root}: every block in {cluster.Name}");
            }
        }

        Assert.That(fixture.Clusters.Sum(c => fixture.Pinset(c.Name).Count), Is.EqualTo(policy == "replicate" ? 6 : 2), "only the roots pinned (no undercluster's own add pinned)");
    }

    [Test]
    public async Task Add_UnderclusterKnownDown_UploadGoesToTheHealthyOnes()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var connector = go;
        await fixture.TakeDownAsync("a");
        using var http = new HttpClient();
        using var content = Multipart("a.txt", "hello from two of three");

        using var response = await http.PostAsync(go.ApiUrl + "/add", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        var root = AddTestData.Parse(text).GetProperty("Hash").GetString()!;
        foreach (var name in new[] { "b", "c" })
        {
            Assert.That(fixture.Pinset(name), Does.Contain(root), "pinned in " + name);
            Assert.That(AddTestData.MissingBlocks(fixture[name], root), Is.Empty, "blocks in " + name);
        }
    }

    [Test]
    public async Task Add_OneUnderclusterRefusesTheAdd_KuboErrorNothingPinned()
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 });
        using var connector = go;
        fixture["b"].Faults.Set(new LabFaults { ErrorRate = 1, Paths = ["/add"] });
        using var http = new HttpClient();
        using var content = Multipart("a.txt", "refused by b");

        using var response = await http.PostAsync(go.ApiUrl + "/add", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(500), text);
        Assert.That(AddTestData.Parse(text).GetProperty("Type").GetString(), Is.EqualTo("error"));
        AssertNothingPinned(fixture);
    }

    [TestCase("replicate")]
    [TestCase("failover")]
    public async Task Add_OneUnderclusterDiesMidUpload_NeverACleanAnswerNothingPinned(string policy)
    {
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (_, go) = await fixture.StartKuboAsync(Policy(policy));
        using var connector = go;
        using var http = new HttpClient();
        var body = new AddFailureTests.SlowBody(firstBytes: 4 << 20, restBytes: 4 << 20);
        using var content = body;

        // Health still says "up": the gateway must notice b's add break mid-way.
        var sending = http.SendAsync(new HttpRequestMessage(HttpMethod.Post, go.ApiUrl + "/add?progress=true") { Content = content }, HttpCompletionOption.ResponseHeadersRead);
        await body.FirstSent.WaitAsync(TimeSpan.FromSeconds(30));
        await fixture["b"].GoDownAsync();
        body.Release();

        Assert.That(await AddFailureTests.EndsCleanlyAsync(sending), Is.False, "a failed add must never end cleanly");
        await fixture["b"].ComeUpAsync();
        AssertNothingPinned(fixture);
    }

    private static StringContent Multipart(string name, string text)
    {
        var boundary = AddFailureTests.Boundary;
        var content = new StringContent(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{text}\r\n--{boundary}--\r\n",
            Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return content;
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
