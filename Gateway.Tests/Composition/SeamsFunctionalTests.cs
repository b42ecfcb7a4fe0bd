using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>The Kubo surface's other composition seams (id addresses, repo/stat, repo/gc) against the emulator.</summary>
public sealed class SeamsFunctionalTests
{
    [Test]
    public async Task GetSwarmAddressesAsync_ThreePeers_TheirDaemonsAddressesCappedAndCached()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { MaxAddresses = 2 });
        var source = gateway.Services.GetRequiredService<ISwarmAddressSource>();

        var addresses = await source.GetSwarmAddressesAsync(CancellationToken.None);
        var again = await source.GetSwarmAddressesAsync(CancellationToken.None);

        var all = harness.Cluster.Peers.OrderBy(p => p.Id, StringComparer.Ordinal).SelectMany(p => p.IpfsAddresses).ToList();
        Assert.That(addresses, Is.EqualTo(all.Take(2)));
        Assert.That(again, Is.EqualTo(addresses));
        Assert.That(harness.Requests.Count("GET", "/peers"), Is.EqualTo(1), "cached");
    }

    [Test]
    public async Task GetSwarmAddressesAsync_UnderclusterDown_LastGoodAnswer()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { AddressesCache = TimeSpan.Zero });
        var source = gateway.Services.GetRequiredService<ISwarmAddressSource>();
        var before = await source.GetSwarmAddressesAsync(CancellationToken.None);

        await harness.Cluster.GoDownAsync();

        Assert.That(await source.GetSwarmAddressesAsync(CancellationToken.None), Is.EqualTo(before));
        Assert.That(before, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task GetSpaceAsync_ReplicateEverywhere_SmallestPeerFreeSpace()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { Capacity = 10L << 30 });
        var gateway = harness.StartGateway();
        await OwnershipFunctionalTests.PinAsync(gateway, CompositionHarness.NewCid());
        var reporter = gateway.Services.GetRequiredService<ISpaceReporter>();

        var space = await reporter.GetSpaceAsync(CancellationToken.None);

        Assert.That(space.Failure, Is.Null);
        Assert.That(space.RepoSize, Is.Zero);
        Assert.That(space.StorageMax, Is.EqualTo((ulong)harness.Cluster.Peers.Min(p => p.FreeBytes)));
        Assert.That(space.StorageMax, Is.EqualTo((10UL << 30) - (1UL << 20)), "every peer holds the 1 MiB nominal pin");
    }

    [Test]
    public async Task GetSpaceAsync_ReplicationTwo_SecondLargestFreeSpace()
    {
        await using var harness = await CompositionHarness.StartAsync(new EmulatedClusterOptions { Peers = 4, Capacity = 1L << 30, NominalPinSize = 100L << 20 });
        var gateway = harness.StartGateway(options: CompositionHarness.FastOptions with { ReplicationMin = 2, ReplicationMax = 2 });
        for (var i = 0; i < 3; i++)
        {
            await OwnershipFunctionalTests.PinAsync(gateway, CompositionHarness.NewCid());
        }

        var space = await gateway.Services.GetRequiredService<ISpaceReporter>().GetSpaceAsync(CancellationToken.None);

        var free = harness.Cluster.Peers.Select(p => (ulong)p.FreeBytes).OrderByDescending(f => f).ToList();
        TestContext.Out.WriteLine($"peer free space: {string.Join(", ", free)} → StorageMax {space.StorageMax}");
        Assert.That(space.StorageMax, Is.EqualTo(free[1]));
    }

    [Test]
    public async Task GetSpaceAsync_PeerDownOnEverywherePins_NothingOffered()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        harness.Cluster.SetPeerDown(1, true);

        var space = await gateway.Services.GetRequiredService<ISpaceReporter>().GetSpaceAsync(CancellationToken.None);

        Assert.That((space.Failure, space.RepoSize, space.StorageMax), Is.EqualTo(((GatewayFailure?)null, 0UL, 0UL)));
    }

    [Test]
    public async Task GetSpaceAsync_UnderclusterDown_Failed()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        await harness.Cluster.GoDownAsync();

        var space = await gateway.Services.GetRequiredService<ISpaceReporter>().GetSpaceAsync(CancellationToken.None);

        Assert.That(space.Failure!.Message, Does.StartWith("undercluster \"local\" unreachable"));
    }

    [Test]
    public async Task CollectAsync_PeerDown_ErrorLineNamingThePeer()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        harness.Cluster.SetPeerDown(1, true);
        var items = new List<GarbageCollectedItem>();

        await foreach (var item in gateway.Services.GetRequiredService<IGarbageCollector>().CollectAsync(CancellationToken.None))
        {
            items.Add(item);
        }

        Assert.That(items.Select(i => i.Error), Is.EqualTo(new[] { $"undercluster \"local\" peer {harness.Cluster.Peers[1].Id} ({harness.Cluster.Peers[1].Name}): {LabCluster.PeerDownError}" }));
        Assert.That(harness.Requests.Count("POST", "/ipfs/gc", q => q.Contains("local=false", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task CollectAsync_UnderclusterDown_EndsWithFailure()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        await harness.Cluster.GoDownAsync();

        var report = gateway.Services.GetRequiredService<IGarbageCollector>().CollectAsync(CancellationToken.None);
        var items = 0;
        await foreach (var unused in report)
        {
            items++;
        }

        Assert.That((items, report.Failure?.Kind), Is.EqualTo((0, (GatewayFailureKind?)GatewayFailureKind.Undercluster)));
    }
}
