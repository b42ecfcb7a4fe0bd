using System.Diagnostics;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// repo/stat over several underclusters (docs/design/repo-stat.md, worked example): hand-computed expectations
/// against emulated underclusters, and the formula itself.
/// </summary>
public sealed class AggregatedSpaceTests
{
    private const ulong GiB = 1UL << 30;

    [TestCase(nameof(PlacementPolicy.Replicate), 0, 1, 10UL, TestName = "Replicate all: tightest (a, 10 GiB)")]
    [TestCase(nameof(PlacementPolicy.Replicate), 2, 1, 20UL, TestName = "Replicate quorum 2: second largest (c, 20 GiB)")]
    [TestCase(nameof(PlacementPolicy.Spread), 0, 1, 30UL, TestName = "Spread k=1: largest (b, 30 GiB)")]
    [TestCase(nameof(PlacementPolicy.Spread), 0, 2, 20UL, TestName = "Spread k=2: second largest (c, 20 GiB)")]
    [TestCase(nameof(PlacementPolicy.Spread), 0, 3, 10UL, TestName = "Spread k=3: third largest (a, 10 GiB)")]
    [TestCase(nameof(PlacementPolicy.Failover), 0, 1, 10UL, TestName = "Failover: first healthy (a, 10 GiB)")]
    public async Task GetSpaceAsync_ThreeUnderclusters_PolicyFormula(string policyName, int quorum, int copies, ulong expectedGiB)
    {
        await using var fixture = await StartAsync();
        var gateway = fixture.StartGateway(new PlacementOptions { Policy = Enum.Parse<PlacementPolicy>(policyName), Quorum = quorum, Copies = copies }, configure: ReplicationTwo);

        var space = await gateway.Space.GetSpaceAsync(CancellationToken.None);

        Assert.That(space.Failure, Is.Null);
        Assert.That(space.RepoSize, Is.Zero);
        Assert.That(space.StorageMax, Is.EqualTo(expectedGiB * GiB));
    }

    [TestCase(nameof(PlacementPolicy.Replicate), 0, 0UL, TestName = "a down, replicate all: 0 (cannot place on every undercluster)")]
    [TestCase(nameof(PlacementPolicy.Replicate), 2, 20UL, TestName = "a down, replicate quorum 2: min of b and c (20 GiB)")]
    [TestCase(nameof(PlacementPolicy.Spread), 0, 30UL, TestName = "a down, spread k=1: b (30 GiB)")]
    [TestCase(nameof(PlacementPolicy.Failover), 0, 30UL, TestName = "a down, failover: next healthy, b (30 GiB)")]
    public async Task GetSpaceAsync_FirstDown_LeftOut(string policyName, int quorum, ulong expectedGiB)
    {
        await using var fixture = await StartAsync();
        var gateway = fixture.StartGateway(new PlacementOptions { Policy = Enum.Parse<PlacementPolicy>(policyName), Quorum = quorum }, configure: ReplicationTwo);
        await fixture.TakeDownAsync("a");

        var space = await gateway.Space.GetSpaceAsync(CancellationToken.None);

        Assert.That(space.Failure, Is.Null);
        Assert.That(space.StorageMax, Is.EqualTo(expectedGiB * GiB));
        Assert.That(gateway.Services.GetRequiredService<AggregatedSpaceReporter>().LeftOut.Single(), Does.Contain("\"a\""));
    }

    [Test]
    public async Task GetSpaceAsync_UnreachableWithFailConfigured_Failure()
    {
        await using var fixture = await StartAsync();
        var gateway = fixture.StartGateway(new PlacementOptions { Policy = PlacementPolicy.Spread, RepoStatUnreachable = RepoStatUnreachable.Fail }, configure: ReplicationTwo);
        await fixture.TakeDownAsync("c");

        var space = await gateway.Space.GetSpaceAsync(CancellationToken.None);

        Assert.That(space.Failure?.Message, Does.Contain("\"c\""));
    }

    [Test]
    public async Task GetSpaceAsync_SlowUndercluster_LeftOutAfterItsTimeout()
    {
        await using var fixture = await StartAsync();
        var gateway = fixture.StartGateway(new PlacementOptions { Policy = PlacementPolicy.Spread }, timeout: TimeSpan.FromSeconds(2), configure: ReplicationTwo);
        fixture["b"].Faults.Merge(new LabFaults { Latency = TimeSpan.FromSeconds(8) });

        var clock = Stopwatch.StartNew();
        var space = await gateway.Space.GetSpaceAsync(CancellationToken.None);
        TestContext.Out.WriteLine($"answered in {clock.Elapsed.TotalMilliseconds:0} ms");

        Assert.That(space.StorageMax, Is.EqualTo(20 * GiB), "b (30 GiB) left out: c is the largest left");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)));
    }

    [TestCase(nameof(PlacementPolicy.Replicate), 3, new ulong[] { 10, 30, 20 }, 10UL)]
    [TestCase(nameof(PlacementPolicy.Replicate), 2, new ulong[] { 10, 30, 20 }, 20UL)]
    [TestCase(nameof(PlacementPolicy.Spread), 1, new ulong[] { 10, 30, 20 }, 30UL)]
    [TestCase(nameof(PlacementPolicy.Spread), 2, new ulong[] { 10, 30, 20 }, 20UL)]
    [TestCase(nameof(PlacementPolicy.Spread), 2, new ulong[] { 10 }, 0UL)]
    [TestCase(nameof(PlacementPolicy.Failover), 1, new ulong[] { 10, 30, 20 }, 10UL)]
    [TestCase(nameof(PlacementPolicy.Failover), 1, new ulong[0], 0UL)]
    public void Combine_Formula(string policyName, int required, ulong[] free, ulong expected) =>
        Assert.That(AggregatedSpaceReporter.Combine(Enum.Parse<PlacementPolicy>(policyName), required, free), Is.EqualTo(expected));

    /// <summary>
    /// Three underclusters of four peers each, every pin at replication 2/2 (per-undercluster keys), so each
    /// undercluster's free space is its second-largest peer: a = 10 GiB, b = 30 GiB, c = 20 GiB (peers of one
    /// undercluster have equal capacity and nothing pinned yet).
    /// </summary>
    private static Task<MultiClusterFixture> StartAsync() =>
        MultiClusterFixture.StartAsync(configure: (i, o) => o with { Peers = 4, Capacity = (long)(new[] { 10UL, 30UL, 20UL }[i] * GiB) });

    private static CompositeGateway.Configuration.UnderclusterOptions ReplicationTwo(CompositeGateway.Configuration.UnderclusterOptions options) =>
        options with { ReplicationFactorMin = 2, ReplicationFactorMax = 2 };
}
