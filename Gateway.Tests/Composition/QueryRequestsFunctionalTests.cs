using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// <c>pin/ls?arg=</c> costs one undercluster request in the steady state: <c>GET /pins/{cid}</c> carries ownership (metadata),
/// allocations and peer statuses, and the shape key every gateway write stamps gives mode and replication.
/// </summary>
public sealed class QueryRequestsFunctionalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [TestCase(false)]
    [TestCase(true)]
    public async Task QueryAsync_OwnedPin_OneStatusRequestAndTheStoredMode(bool direct)
    {
        var mode = direct ? PinMode.Direct : PinMode.Recursive;
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), mode), CancellationToken.None);
        Assert.That(start.Failure, Is.Null, start.Failure?.Message);
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);
        var expected = (mode == PinMode.Direct ? "direct" : "recursive") + "/";
        Assert.That(harness.MetadataOf(cid)!["composite-gateway/shape"], Does.StartWith(expected), "the first pin created with the undercluster's default replication is stamped too");
        harness.Requests.Clear();

        var query = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(query.PinnedAs, Is.EqualTo(mode));
        Assert.That(harness.Requests.All.Select(r => $"{r.Method} {r.Path}"), Is.EqualTo(new[] { "GET /pins/" + cid }));
    }

    [Test]
    public async Task QueryAsync_PinOfAnotherOwner_NotPinnedWithOneRequest()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var cid = CompositionHarness.NewCid();
        await OwnershipFunctionalTests.PinAsync(a, cid);
        harness.Requests.Clear();

        var query = await b.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(query.PinnedAs, Is.Null);
        Assert.That(query.Failure, Is.Null);
        Assert.That(harness.Requests.All.Select(r => $"{r.Method} {r.Path}"), Is.EqualTo(new[] { "GET /pins/" + cid }));
    }

    [Test]
    public async Task QueryAsync_ManyAtOnce_ShareStatusRequestsAndEachGetsItsOwnAnswer()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var mine = Enumerable.Range(0, 6).Select(_ => CompositionHarness.NewCid()).ToList();
        var theirs = Enumerable.Range(0, 6).Select(_ => CompositionHarness.NewCid()).ToList();
        var absent = Enumerable.Range(0, 6).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in mine)
        {
            await OwnershipFunctionalTests.PinAsync(a, cid);
        }

        foreach (var cid in theirs)
        {
            await OwnershipFunctionalTests.PinAsync(b, cid);
        }

        // Slow status answers keep the first queries out while the others arrive, as on a loaded undercluster.
        harness.Cluster.Faults.Merge(new LabFaults { Latency = TimeSpan.FromMilliseconds(200), Paths = ["/pins"] });
        harness.Requests.Clear();
        var asked = mine.Concat(theirs).Concat(absent).SelectMany(c => new[] { c, c }).ToList();

        var answers = await Task.WhenAll(asked.Select(c => a.Pins.QueryAsync(Cid.Parse(c), CancellationToken.None)));

        var statusRequests = harness.Requests.All.Where(r => r.Method == "GET" && r.Path.StartsWith("/pins", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            for (var i = 0; i < asked.Count; i++)
            {
                Assert.That(answers[i].Failure, Is.Null, asked[i]);
                Assert.That(answers[i].PinnedAs, Is.EqualTo(mine.Contains(asked[i]) ? PinMode.Recursive : (PinMode?)null), asked[i]);
            }

            Assert.That(statusRequests, Has.Count.LessThanOrEqualTo(QueryBatcher.Lanes + 2), string.Join("\n", statusRequests));
            Assert.That(statusRequests.Where(r => r.Query.Contains("cids=", StringComparison.Ordinal)), Is.Not.Empty);
            Assert.That(harness.Requests.All.Where(r => r.Path.StartsWith("/allocations", StringComparison.Ordinal)), Is.Empty, "the shape key answers mode and replication");
        });
    }

    [Test]
    public async Task QueryAsync_BatchStallsAfterItsFirstItem_TheRestFailAtTheTimeoutAndTheLanesServeAgain()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(timeout: TimeSpan.FromSeconds(1));
        var mine = Enumerable.Range(0, 3).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in mine)
        {
            await OwnershipFunctionalTests.PinAsync(gateway, cid);
        }

        var asked = mine.Concat(Enumerable.Range(0, 9).Select(_ => CompositionHarness.NewCid())).ToList();

        // Slow single answers keep the lanes busy while the rest queue; every status stream then stops after one item.
        harness.Cluster.Faults.Merge(new LabFaults { Latency = TimeSpan.FromMilliseconds(200), Paths = ["/pins"], StallStreamAfter = 1 });
        var stalled = await Task.WhenAll(asked.Select(c => gateway.Pins.QueryAsync(Cid.Parse(c), CancellationToken.None))).WaitAsync(Generous);

        harness.Cluster.Faults.Clear();
        var after = await Task.WhenAll(asked.Select(c => gateway.Pins.QueryAsync(Cid.Parse(c), CancellationToken.None))).WaitAsync(Generous);
        Assert.Multiple(() =>
        {
            Assert.That(stalled.Count(a => a.Failure is not null), Is.EqualTo(asked.Count - QueryBatcher.Lanes - 1), "the batch's first item answered its query; the others failed at the status answer's deadline");
            Assert.That(stalled.Where(a => a.Failure is not null).Select(a => a.Failure!.Message), Has.All.Contains("status answer not finished within twice its timeout of 1 s"));
            Assert.That(stalled.Where(a => a.Failure is not null).Select(a => a.PinnedAs), Has.All.Null);
            Assert.That(after.Select(a => a.Failure), Has.All.Null, "every lane came back");
            Assert.That(after.Select(a => a.PinnedAs is not null), Is.EqualTo(asked.Select(mine.Contains)));
        });
    }

    [Test]
    public async Task QueryAsync_OwnedWithoutShapeKey_FallsBackToTheStoredPin()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();

        // Written outside the gateway (or by a gateway before the shape key): our owner key, a direct pin, no shape.
        var write = await gateway.Client.PinPathAsync("/ipfs/" + cid, new PinRequest
        {
            Mode = PinMode.Direct,
            Metadata = new Dictionary<string, string> { [gateway.OwnerKey] = "2026-01-01T00:00:00Z" },
        }, CancellationToken.None);
        Assert.That(write.IsSuccess, Is.True, write.ToString());
        await WaitPinnedAsync(gateway, cid);
        harness.Requests.Clear();

        var query = await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(query.PinnedAs, Is.EqualTo(PinMode.Direct));
        Assert.That(harness.Requests.All.Select(r => $"{r.Method} {r.Path}"), Is.EqualTo(new[] { "GET /pins/" + cid, "GET /allocations/" + cid }));
    }

    [Test]
    public async Task QueryAsync_ShapeKeyChangedByAnotherWriter_NextPinAddStampsTheStoredShape()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        await OwnershipFunctionalTests.PinAsync(gateway, cid);
        var metadata = new Dictionary<string, string>(harness.MetadataOf(cid)!) { ["composite-gateway/shape"] = "recursive/9/9" };
        var write = await gateway.Client.PinAsync(Cid.Parse(cid), new PinRequest { Metadata = metadata }, CancellationToken.None);
        Assert.That(write.IsSuccess, Is.True, write.ToString());

        await OwnershipFunctionalTests.PinAsync(gateway, cid);

        var stored = (await gateway.Client.GetAllocationAsync(Cid.Parse(cid), CancellationToken.None)).Value!;
        Assert.That(stored.Metadata!["composite-gateway/shape"], Is.EqualTo($"recursive/{stored.ReplicationFactorMin}/{stored.ReplicationFactorMax}"));
    }

    private static async Task WaitPinnedAsync(CompositionHarness.Gateway gateway, string cid)
    {
        var deadline = DateTime.UtcNow + Generous;
        while ((await gateway.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs is null)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "never pinned");
            await Task.Delay(20);
        }
    }
}
