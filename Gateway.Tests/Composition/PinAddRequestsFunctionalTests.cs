using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// What a pin/add of a new CID asks the undercluster before its wait (docs/design/ownership.md, "Races", rule 1): under
/// <c>pin_wait: pinned</c> the read and the write only, since the wait confirms our key in the status; under
/// <c>pin_wait: accepted</c> also the read-back, the only check there is. And whether its wait settles first (rule 2):
/// not under <c>sole_gateway</c>, until a read shows another gateway's key.
/// </summary>
public sealed class PinAddRequestsFunctionalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [TestCase(false, 1)]
    [TestCase(true, 2)]
    public async Task StartPinAsync_NewCid_ReadsBackOnlyWhenNothingWaits(bool accepted, int reads)
    {
        var waitMode = accepted ? PinWaitMode.Accepted : PinWaitMode.Pinned;
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { PinWait = waitMode });
        await OwnershipFunctionalTests.PinAsync(gateway, CompositionHarness.NewCid()); // learns the default replication
        var cid = CompositionHarness.NewCid();
        harness.Requests.Clear();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(start.Failure, Is.Null, start.Failure?.Message);
        var expected = new List<string> { "GET /allocations/" + cid, "POST /pins/" + cid };
        expected.AddRange(Enumerable.Repeat("GET /allocations/" + cid, reads - 1));
        Assert.That(OfThisCid(harness, cid), Is.EqualTo(expected));
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);
        Assert.That(harness.MetadataOf(cid)!.Keys, Does.Contain(gateway.OwnerKey));
    }

    [Test]
    public async Task StartPinAsync_FreshGatewaysFirstPin_ShapeKeyCompletedFromTheWritesAnswer()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cid = CompositionHarness.NewCid();
        harness.Requests.Clear();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(start.Failure, Is.Null, start.Failure?.Message);
        Assert.That(OfThisCid(harness, cid), Is.EqualTo(new[] { "GET /allocations/" + cid, "POST /pins/" + cid, "POST /pins/" + cid }));
        Assert.That(await start.Wait!.Completion.WaitAsync(Generous), Is.Null);
        var metadata = harness.MetadataOf(cid)!;
        Assert.That(metadata.Keys, Does.Contain(gateway.OwnerKey));
        Assert.That(metadata.TryGetValue("composite-gateway/shape", out var shape), Is.True, "the first write, made before the default replication was known, carried none");
        Assert.That(shape, Does.StartWith("recursive/"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task StartPinAsync_SoleGatewayOrShared_SettlesOnlyWhereAnotherGatewayMayWrite(bool soleGateway)
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(soleGateway: soleGateway);
        var cid = CompositionHarness.NewCid();

        var start = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), PinMode.Recursive), CancellationToken.None);

        Assert.That(start.Failure, Is.Null, start.Failure?.Message);
        var wait = (PinWait)start.Wait!;
        Assert.That(wait.Settle, soleGateway ? Is.EqualTo(TimeSpan.Zero) : Is.GreaterThanOrEqualTo(PinWait.MinimumSettle));
        Assert.That(await wait.Completion.WaitAsync(Generous), Is.Null);
        Assert.That(harness.MetadataOf(cid)!.Keys, Does.Contain(gateway.OwnerKey));
    }

    [Test]
    public async Task StartPinAsync_SoleGatewayButAnotherGatewaysKeyRead_SettlesFromThatPinOn()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var other = harness.StartGateway(CompositionHarness.OwnerB);
        var gateway = harness.StartGateway(soleGateway: true);
        var theirs = CompositionHarness.NewCid();
        await OwnershipFunctionalTests.PinAsync(other, theirs);
        await OwnershipFunctionalTests.PinAsync(gateway, CompositionHarness.NewCid());
        Assert.That(gateway.Undercluster.SettlesPinWaits, Is.False, "only its own pins read so far");

        var joined = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(theirs), PinMode.Recursive), CancellationToken.None);
        var next = await gateway.Pins.StartPinAsync(new PinIntent(Cid.Parse(CompositionHarness.NewCid()), PinMode.Recursive), CancellationToken.None);

        Assert.That(gateway.Undercluster.SettlesPinWaits, Is.True);
        Assert.That(((PinWait)joined.Wait!).Settle, Is.GreaterThanOrEqualTo(PinWait.MinimumSettle), "the join read the other owner's key before it wrote");
        Assert.That(((PinWait)next.Wait!).Settle, Is.GreaterThanOrEqualTo(PinWait.MinimumSettle));
        Assert.That(await joined.Wait!.Completion.WaitAsync(Generous), Is.Null);
        Assert.That(harness.MetadataOf(theirs)!.Keys, Does.Contain(gateway.OwnerKey).And.Contain(other.OwnerKey));
    }

    [Test]
    public async Task StartUpdateAsync_SoleGatewayButTheTargetIsAnotherGateways_SettlesFromThenOn()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var other = harness.StartGateway(CompositionHarness.OwnerB);
        var gateway = harness.StartGateway(soleGateway: true);
        var (from, to) = (CompositionHarness.NewCid(), CompositionHarness.NewCid());
        await OwnershipFunctionalTests.PinAsync(gateway, from);
        await OwnershipFunctionalTests.PinAsync(other, to);
        Assert.That(gateway.Undercluster.SettlesPinWaits, Is.False);

        var update = await gateway.Pins.StartUpdateAsync(Cid.Parse(from), Cid.Parse(to), unpinFrom: false, CancellationToken.None);

        Assert.That(update.Failure, Is.Null, update.Failure?.Message);
        Assert.That(gateway.Undercluster.SettlesPinWaits, Is.True);
        Assert.That(await update.Wait!.Completion.WaitAsync(Generous), Is.Null);
        Assert.That(harness.MetadataOf(to)!.Keys, Does.Contain(gateway.OwnerKey).And.Contain(other.OwnerKey));
    }

    private static List<string> OfThisCid(CompositionHarness harness, string cid) =>
        [.. harness.Requests.All.Select(r => $"{r.Method} {r.Path}").Where(r => r.EndsWith("/" + cid, StringComparison.Ordinal))];
}
