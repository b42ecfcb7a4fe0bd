using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Composition;

/// <summary>Several gateways (identities) sharing one undercluster: cylinder and inverse multi-ring topologies.</summary>
public sealed class OwnershipFunctionalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task UnpinAsync_OtherGatewayStillOwns_PinKeptWithOnlyItsKey()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var cid = CompositionHarness.NewCid();
        await PinAsync(a, cid);
        await PinAsync(b, cid);
        Assert.That(harness.MetadataOf(cid)!.Keys, Is.SupersetOf(new[] { a.OwnerKey, b.OwnerKey, "composite-gateway/created" }));

        var unpinA = await a.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(unpinA.Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(harness.MetadataOf(cid)!.Keys, Is.EquivalentTo(new[] { b.OwnerKey, "composite-gateway/created", "composite-gateway/shape" }));
        Assert.That((await a.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.Null, "A no longer owns it");
        Assert.That((await b.Pins.QueryAsync(Cid.Parse(cid), CancellationToken.None)).PinnedAs, Is.EqualTo(PinMode.Recursive));

        var unpinB = await b.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(unpinB.Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(harness.InPinset(cid), Is.False, "last owner of a gateway-created pin deletes it");
    }

    [Test]
    public async Task UnpinAsync_CidOwnedOnlyByOtherGateway_NotPinnedWithOneRead()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var cid = CompositionHarness.NewCid();
        await PinAsync(a, cid);
        harness.Requests.Clear();

        var unpin = await b.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);

        Assert.That(unpin.Outcome, Is.EqualTo(UnpinOutcome.NotPinned));
        Assert.That(harness.InPinset(cid), Is.True);
        Assert.That(harness.Requests.All.Select(r => $"{r.Method} {r.Path}"), Is.EqualTo(new[] { "GET /allocations/" + cid }));
    }

    [Test]
    public async Task UnpinAsync_PreExistingPinJoinedThenLeft_NeverDeletedAndEverythingPreserved()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var cid = CompositionHarness.NewCid();
        var expire = DateTimeOffset.UtcNow.AddDays(7);
        var original = await a.Client.PinAsync(Cid.Parse(cid), new PinRequest
        {
            Name = "operator-backup",
            ReplicationMin = 2,
            ReplicationMax = 3,
            ExpireAt = expire,
            Metadata = new Dictionary<string, string> { ["app"] = "archive" },
            Origins = ["/ip4/10.1.2.3/tcp/4001/p2p/12D3KooWDBpx1ax2oAiu6oXbt2A4NgZomYrXr4FzKgdK7uJvFZ1t"],
        }, CancellationToken.None);
        Assert.That(original.IsSuccess, Is.True, original.ToString());
        var before = (await a.Client.GetAllocationAsync(Cid.Parse(cid), CancellationToken.None)).Value!;

        await PinAsync(a, cid);
        var joined = (await a.Client.GetAllocationAsync(Cid.Parse(cid), CancellationToken.None)).Value!;
        var unpin = await a.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);
        var after = (await a.Client.GetAllocationAsync(Cid.Parse(cid), CancellationToken.None)).Value;

        Assert.Multiple(() =>
        {
            Assert.That(joined.Metadata!.Keys, Is.EquivalentTo(new[] { "app", a.OwnerKey, "composite-gateway/shape" }), "joined without claiming creation");
            Assert.That(joined.Allocations, Is.EqualTo(before.Allocations), "a re-pin with the same replication keeps allocations (§5.7)");
            Assert.That(unpin.Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
            Assert.That(after, Is.Not.Null, "a pin that existed before any gateway is never deleted");
            Assert.That(after!.Metadata, Is.EqualTo(before.Metadata));
            Assert.That(after.Name, Is.EqualTo("operator-backup"));
            Assert.That((after.ReplicationFactorMin, after.ReplicationFactorMax), Is.EqualTo((2, 3)));
            Assert.That(after.ExpireAt, Is.EqualTo(before.ExpireAt));
            Assert.That(after.Origins, Is.EqualTo(before.Origins));
            Assert.That(after.MaxDepth, Is.EqualTo(before.MaxDepth));
        });
    }

    [Test]
    public async Task StartPinAsync_NonGatewayPinReplacedMetadataMidWait_OwnershipReestablished()
    {
        await using var harness = await CompositionHarness.StartAsync(new() { PinDelay = TimeSpan.FromMilliseconds(1500) });
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var cid = CompositionHarness.NewCid();
        var start = await a.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        // Someone outside the gateways re-pins with their own metadata: docs/protocol/cluster-rest.md §5.7 replaces ours wholesale.
        var repin = await a.Client.PinAsync(Cid.Parse(cid), new PinRequest { Metadata = new Dictionary<string, string> { ["app"] = "other" } }, CancellationToken.None);
        Assert.That(repin.IsSuccess, Is.True);
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);

        Assert.That(harness.MetadataOf(cid)!.Keys, Is.SupersetOf(new[] { "app", a.OwnerKey }));
    }

    [Test]
    public async Task StartPinAsync_OtherGatewayDeletesMidWait_PinReCreated()
    {
        await using var harness = await CompositionHarness.StartAsync(new() { PinDelay = TimeSpan.FromMilliseconds(1500) });
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var cid = CompositionHarness.NewCid();
        var start = await a.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        // The residual race of docs/design/ownership.md, forced: the pin disappears under a live wait.
        Assert.That((await a.Client.UnpinAsync(Cid.Parse(cid), CancellationToken.None)).IsSuccess, Is.True);
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);

        Assert.That(harness.MetadataOf(cid)!.Keys, Is.SupersetOf(new[] { a.OwnerKey, "composite-gateway/created" }));
    }

    [Test]
    public async Task UnpinAsync_WhileOwnWaitRuns_WaitEndsAndOwnershipNotReestablished()
    {
        await using var harness = await CompositionHarness.StartAsync(new() { PinDelay = TimeSpan.FromMinutes(10) });
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var cid = CompositionHarness.NewCid();
        var start = await a.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        var unpin = await a.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);
        var failure = await start.Wait!.Completion.WaitAsync(Generous);
        await Task.Delay(300);

        Assert.That(unpin.Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(failure!.Message, Does.Contain("unpinned while the pin was being waited on"));
        Assert.That(harness.InPinset(cid), Is.False);
    }

    [Test]
    public async Task StartPinAsync_SameIdentityTwoReplicas_ActAsOneOwner()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var replica1 = harness.StartGateway(CompositionHarness.OwnerA);
        var replica2 = harness.StartGateway(CompositionHarness.OwnerA);
        var cid = CompositionHarness.NewCid();
        await PinAsync(replica1, cid);
        harness.Requests.Clear();

        await PinAsync(replica2, cid);

        Assert.That(harness.Requests.Count("POST", "/pins/" + cid), Is.Zero, "same key: already owned, nothing to write");
        Assert.That((await replica2.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None)).Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(harness.InPinset(cid), Is.False);
        Assert.That((await replica1.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None)).Outcome, Is.EqualTo(UnpinOutcome.NotPinned));
    }

    [Test]
    public async Task ListAndQuery_TwoGateways_EachSeesOnlyItsOwnPins()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var onlyA = CompositionHarness.NewCid();
        var both = CompositionHarness.NewCid();
        await PinAsync(a, onlyA);
        await PinAsync(a, both);
        await PinAsync(b, both);
        harness.Cluster.Seed(5);

        var listedA = await ListAsync(a);
        var listedB = await ListAsync(b);

        Assert.That(listedA, Is.EquivalentTo(new[] { onlyA, both }));
        Assert.That(listedB, Is.EquivalentTo(new[] { both }));
        Assert.That((await b.Pins.QueryAsync(Cid.Parse(onlyA), CancellationToken.None)).PinnedAs, Is.Null);
    }

    [Test]
    public async Task StartUpdateAsync_SourceSharedWithOtherGateway_TargetOwnedByUpdaterAloneAndSourceKeptForOther()
    {
        await using var harness = await CompositionHarness.StartAsync(new() { Peers = 4, ReplicationFactorMin = 2, ReplicationFactorMax = 2 });
        var a = harness.StartGateway(CompositionHarness.OwnerA);
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var from = CompositionHarness.NewCid();
        var to = CompositionHarness.NewCid();
        await PinAsync(a, from);
        await PinAsync(b, from);

        var update = await a.Pins.StartUpdateAsync(Cid.Parse(from), Cid.Parse(to), unpinFrom: true, CancellationToken.None);

        Assert.That(update.Failure, Is.Null);
        Assert.That(await update.Wait!.Completion.WaitAsync(Generous), Is.Null);
        var fromPin = (await a.Client.GetAllocationAsync(Cid.Parse(from), CancellationToken.None)).Value!;
        var toPin = (await a.Client.GetAllocationAsync(Cid.Parse(to), CancellationToken.None)).Value!;
        Assert.That(toPin.Allocations, Is.EquivalentTo(fromPin.Allocations!), "pin-update copied from's allocations");
        Assert.That(toPin.Metadata!.Keys, Is.EquivalentTo(new[] { a.OwnerKey, "composite-gateway/created", "composite-gateway/shape" }));
        Assert.That(fromPin.Metadata!.Keys, Is.EquivalentTo(new[] { b.OwnerKey, "composite-gateway/created", "composite-gateway/shape" }), "A left from; B keeps it");
    }

    [Test]
    public async Task StartUpdateAsync_SourceNotOwned_KuboError()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA);

        var update = await a.Pins.StartUpdateAsync(Cid.Parse(CompositionHarness.NewCid()), Cid.Parse(CompositionHarness.NewCid()), unpinFrom: false, CancellationToken.None);

        Assert.That(update.Failure!.Message, Is.EqualTo("'from' cid was not recursively pinned already"));
    }

    /// <summary>
    /// Another gateway read the pin before A released it and writes after A's write (releasing its own key, or joining):
    /// its older snapshot still holds A's key, so the write puts it back, or re-creates the pin A just deleted with it.
    /// A's read-back after the settle delay sees that and releases again; a read-back at once would have missed it and
    /// left A's key to outlive every unpin. The stale write is made by the test, a few milliseconds after A's write.
    /// </summary>
    [TestCase(true, TestName = "UnpinAsync_StaleWriteRestoresKeyAfterRelease_ReleasedAgain")]
    [TestCase(false, TestName = "UnpinAsync_StaleWriteRecreatesDeletedPinWithKey_ReleasedAgain")]
    public async Task UnpinAsync_StaleWriteJustAfterRelease_ReleasedAgain(bool otherOwnerBefore)
    {
        await using var harness = await CompositionHarness.StartAsync();
        var a = harness.StartGateway(CompositionHarness.OwnerA, CompositionHarness.FastOptions with { UnpinRecheckDelay = TimeSpan.FromMilliseconds(400) });
        var b = harness.StartGateway(CompositionHarness.OwnerB);
        var cid = CompositionHarness.NewCid();
        await PinAsync(a, cid);
        if (otherOwnerBefore)
        {
            await PinAsync(b, cid);
        }

        // B's snapshot, taken before A's release; its write adds B's key (a join) to what it read.
        var stale = new Dictionary<string, string>(harness.MetadataOf(cid)!) { [b.OwnerKey] = "2024-01-01T00:00:00Z" };
        var release = a.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (harness.MetadataOf(cid) is { } now && now.ContainsKey(a.OwnerKey))
        {
            Assert.That(clock.Elapsed, Is.LessThan(Generous), "A's release never landed");
            await Task.Delay(1);
        }

        var write = await b.Client.PinAsync(Cid.Parse(cid), new PinRequest { Metadata = stale }, CancellationToken.None);
        Assert.That(write.IsSuccess, Is.True);
        Assert.That(harness.MetadataOf(cid)!.Keys, Does.Contain(a.OwnerKey), "the stale write put A's key back");

        var unpin = await release.WaitAsync(Generous);

        Assert.That(unpin.Outcome, Is.EqualTo(UnpinOutcome.Unpinned));
        Assert.That(harness.MetadataOf(cid)!.Keys, Does.Not.Contain(a.OwnerKey), "A's key does not outlive A's unpin");
        Assert.That(harness.MetadataOf(cid)!.Keys, Does.Contain(b.OwnerKey), "B, which wants the pin, keeps it");
    }

    /// <summary>
    /// Two gateways race pin/unpin on the same CIDs. Invariant afterwards: every CID a gateway still wants
    /// is in the pinset with that gateway's owner key. Leftovers (nobody wants, still pinned) are reported.
    /// </summary>
    [Test]
    public async Task Race_ManyPinUnpinFromTwoGateways_WantedPinsKeepTheirOwners()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var options = CompositionHarness.FastOptions with { UnpinRecheckDelay = TimeSpan.FromMilliseconds(20), PollInterval = TimeSpan.FromMilliseconds(30) };
        var gateways = new[] { harness.StartGateway(CompositionHarness.OwnerA, options), harness.StartGateway(CompositionHarness.OwnerB, options) };
        var cids = Enumerable.Range(0, 24).Select(_ => CompositionHarness.NewCid()).ToList();
        var wanted = new bool[gateways.Length, cids.Count];
        var random = new Random(1234);
        var scripts = new List<(int Gateway, int Cid, bool[] Ops)>();
        for (var g = 0; g < gateways.Length; g++)
        {
            for (var c = 0; c < cids.Count; c++)
            {
                scripts.Add((g, c, [.. Enumerable.Range(0, 8).Select(_ => random.Next(2) == 0)]));
            }
        }

        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(scripts.Select(script => Task.Run(async () =>
        {
            var gateway = gateways[script.Gateway];
            var cid = cids[script.Cid];
            foreach (var pin in script.Ops)
            {
                if (pin)
                {
                    var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
                    var failure = start.Failure ?? await start.Wait!.Completion.WaitAsync(Generous);
                    if (failure is not null)
                    {
                        errors.Add($"pin {cid} by {script.Gateway}: {failure.Message}");
                    }
                }
                else
                {
                    var unpin = await gateway.Pins.UnpinAsync(Cid.Parse(cid), CancellationToken.None);
                    if (unpin.Outcome == UnpinOutcome.Failed)
                    {
                        errors.Add($"unpin {cid} by {script.Gateway}: {unpin.Failure!.Message}");
                    }
                }
            }

            wanted[script.Gateway, script.Cid] = script.Ops[^1];
        })));

        var lost = new List<string>();
        var leftovers = 0;
        for (var c = 0; c < cids.Count; c++)
        {
            var metadata = harness.MetadataOf(cids[c]);
            var wantedByAny = false;
            for (var g = 0; g < gateways.Length; g++)
            {
                if (wanted[g, c])
                {
                    wantedByAny = true;
                    if (metadata is null || !metadata.ContainsKey(gateways[g].OwnerKey))
                    {
                        lost.Add($"{cids[c]} wanted by gateway {g}: {(metadata is null ? "not in pinset" : string.Join(",", metadata.Keys))}");
                    }
                }
            }

            if (!wantedByAny && metadata is not null)
            {
                leftovers++;
            }
        }

        TestContext.Out.WriteLine($"race: {scripts.Count * 8} operations on {cids.Count} CIDs by 2 gateways; errors {errors.Count}; pinned but unwanted afterwards: {leftovers}");
        Assert.That(errors, Is.Empty);
        Assert.That(lost, Is.Empty);
    }

    internal static async Task PinAsync(CompositionHarness.Gateway gateway, string cid)
    {
        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);
        Assert.That(start.Failure, Is.Null, start.Failure?.Message);
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);
    }

    internal static async Task<List<string>> ListAsync(CompositionHarness.Gateway gateway)
    {
        var cids = new List<string>();
        var listing = gateway.Pins.ListAsync(CancellationToken.None);
        await foreach (var item in listing)
        {
            cids.Add(item.Cid);
        }

        Assert.That(listing.Failure, Is.Null, "the listing ended with a failure");

        return cids;
    }
}
