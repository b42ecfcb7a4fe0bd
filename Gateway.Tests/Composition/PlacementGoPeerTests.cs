using CompositeGateway.Lab.Connector;
using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// The acceptance run: a replayed Go ipfs-cluster v1.1.6 peer pins and unpins through one gateway over three
/// emulated underclusters under each policy, through an outage of undercluster a, and every undercluster's pinset
/// ends exactly as the policy says.
/// </summary>
public sealed class PlacementGoPeerTests
{
    [TestCase("replicate")]
    [TestCase("spread")]
    [TestCase("failover")]
    public async Task GoPeer_PinsAndUnpinsThroughAnOutage_PinsetsAsThePolicySays(string policy)
    {
        var placement = policy switch
        {
            "replicate" => new PlacementOptions { Policy = PlacementPolicy.Replicate, Quorum = 2 },
            "spread" => new PlacementOptions { Policy = PlacementPolicy.Spread },
            _ => new PlacementOptions { Policy = PlacementPolicy.Failover },
        };
        await using var fixture = await MultiClusterFixture.StartAsync();
        var (gateway, go) = await fixture.StartKuboAsync(placement);
        using var _ = go;
        var cids = Enumerable.Range(0, 6).Select(_ => CompositionHarness.NewCid()).ToList();

        foreach (var cid in cids.Take(4))
        {
            Assert.That((await go.PinAsync(cid)).Error, Is.Null, cid);
        }

        await fixture.TakeDownAsync("a");
        foreach (var cid in cids.Skip(4))
        {
            Assert.That((await go.PinAsync(cid)).Error, Is.Null, $"{cid} pinned during a's outage");
        }

        var unpinDuringOutage = await go.UnpinAsync(cids[1]);
        Assert.That(unpinDuringOutage, Is.Not.Null, "a cannot be asked whether it holds the pin: unpin_error, never a false success");
        Assert.That((await go.PinLsCidAsync(cids[4])).Status, Is.EqualTo(IpfsPinStatus.Recursive));

        await fixture.BringUpAsync("a");

        // What the Go peer's recover round does: re-run pins (pin/ls?arg first, pin/add only if "not pinned") and the failed unpin.
        foreach (var cid in cids.Where(c => c != cids[1]))
        {
            Assert.That((await go.PinAsync(cid)).Error, Is.Null, cid);
        }

        Assert.That(await go.UnpinAsync(cids[1]), Is.Null);

        var wanted = cids.Where(c => c != cids[1]).ToList();
        var expected = fixture.Clusters.ToDictionary(c => c.Name, _ => new List<string>());
        foreach (var cid in wanted)
        {
            var duringOutage = cids.IndexOf(cid) >= 4;
            var holders = policy switch
            {
                "replicate" => ["a", "b", "c"],
                "spread" => [gateway.Placement.Rank(cid).First(m => !duringOutage || m.Name != "a").Name],
                _ => new[] { duringOutage ? "b" : "a" },
            };
            foreach (var holder in holders)
            {
                expected[holder].Add(cid);
            }
        }

        foreach (var cluster in fixture.Clusters)
        {
            Assert.That(fixture.Pinset(cluster.Name), Is.EquivalentTo(expected[cluster.Name]), $"pinset of {cluster.Name} under {policy}");
        }

        var listing = await go.PinLsAsync();
        Assert.That(listing.Error, Is.Null);
        Assert.That(listing.Value!.Keys, Is.EquivalentTo(wanted));
        TestContext.Out.WriteLine(string.Join("; ", fixture.Clusters.Select(c => $"{c.Name}: {fixture.Pinset(c.Name).Count} pins")));
    }
}
