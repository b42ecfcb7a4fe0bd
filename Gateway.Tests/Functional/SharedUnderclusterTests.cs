using CompositeGateway.Lab.Connector;
using System.Collections.Concurrent;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// Two gateways with different identities in front of one undercluster, driven over HTTP by their own
/// replayed Go peers, as in a "cylinder" deployment: an overcluster of two peers whose daemons are the two
/// gateways, each pin allocated to one or both. Ownership (docs/design/ownership.md) must keep each
/// gateway's pins apart in the one shared pinset.
/// </summary>
public sealed class SharedUnderclusterTests
{
    [Test]
    public async Task Cylinder_BothPinTheirAllocationsAndPinRmTheOthers_NobodyLosesAPinAndListingsAreOwnOnly()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 2 });
        var (a, b) = (environment.Gateways[0], environment.Gateways[1]);
        var onlyA = TestEnvironment.NewCids(10);
        var onlyB = TestEnvironment.NewCids(10);
        var both = TestEnvironment.NewCids(10);

        // Each overcluster peer pins what is allocated to it and, at the same time, sends pin/rm for every pin
        // allocated only to the other (Track of a remote pin, docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6, §5.1).
        var peerA = new GoClusterPeer(a.Go);
        var peerB = new GoClusterPeer(b.Go);
        var results = await Task.WhenAll(
            PinAndStormAsync(peerA, [.. onlyA, .. both], onlyB),
            PinAndStormAsync(peerB, [.. onlyB, .. both], onlyA));

        Assert.Multiple(() =>
        {
            Assert.That(results.SelectMany(r => r), Is.Empty, "every pin pinned, every remote pin/rm read as unpinned");
            Assert.That(onlyA.Select(OwnersOf), Has.All.EqualTo(new[] { a.OwnerKey }));
            Assert.That(onlyB.Select(OwnersOf), Has.All.EqualTo(new[] { b.OwnerKey }));
            Assert.That(both.Select(OwnersOf), Has.All.EquivalentTo(new[] { a.OwnerKey, b.OwnerKey }));
        });
        Assert.That(await ListAsync(a), Is.EquivalentTo(onlyA.Concat(both)), "A lists only its own pins");
        Assert.That(await ListAsync(b), Is.EquivalentTo(onlyB.Concat(both)), "B lists only its own pins");
        Assert.That((await a.Go.PinLsCidAsync(onlyB[0])).Status, Is.EqualTo(IpfsPinStatus.Unpinned), "B's pin is not A's");

        // A's overcluster unpins everything it had: pins A alone created are gone, shared ones stay for B.
        var unpins = await peerA.UnpinAllAsync([.. onlyA, .. both]);
        Assert.Multiple(() =>
        {
            Assert.That(unpins.Values, Has.All.Null);
            Assert.That(onlyA.Select(environment.Cluster.GetPin), Has.All.Null);
            Assert.That(both.Select(OwnersOf), Has.All.EqualTo(new[] { b.OwnerKey }));
            Assert.That(onlyB.Select(OwnersOf), Has.All.EqualTo(new[] { b.OwnerKey }));
        });
        Assert.That(await ListAsync(a), Is.Empty);
        Assert.That(await ListAsync(b), Is.EquivalentTo(onlyB.Concat(both)));

        string[] OwnersOf(string cid) =>
            [.. (environment.Cluster.GetPin(cid)?.Metadata ?? new Dictionary<string, string>()).Keys.Where(k => k.StartsWith(a.Options.PinPath.MetadataPrefix + "owner/", StringComparison.Ordinal))];
    }

    /// <summary>
    /// An undercluster whose <c>sole_gateway</c> another gateway writes to after all (a cylinder configured as a
    /// multi-ring): the first pin read with the other gateway's key turns the settle back on, with one warning naming
    /// that gateway, and both keep their pins.
    /// </summary>
    [Test]
    public async Task SoleGatewayDeclaredButShared_FirstOtherKeyRead_WarnsOnceNamingTheOtherGateway()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 1 });
        var other = environment.Gateways[0];
        var gateway = await environment.AddGatewayAsync(o => o with { Underclusters = [.. o.Underclusters.Select(u => u with { SoleGateway = true })] });
        var undercluster = gateway.Host.Services.GetRequiredService<CompositeGateway.Underclusters.Undercluster>();
        var (theirs, mine) = (TestEnvironment.NewCid(), TestEnvironment.NewCids(3));
        Assert.That((await other.Go.PinAsync(theirs)).Error, Is.Null);
        Assert.That((await gateway.Go.PinAsync(mine[0])).Error, Is.Null);
        Assert.That(undercluster.SettlesPinWaits, Is.False, "only its own pin read so far");

        // The overcluster asks every peer to pin/rm what is allocated to the others: the first such read tells.
        Assert.That(await gateway.Go.UnpinAsync(theirs), Is.Null, "not ours: 'not pinned or pinned indirectly'");
        Assert.That(undercluster.SettlesPinWaits, Is.True);
        Assert.That((await gateway.Go.PinAsync(theirs)).Error, Is.Null);
        Assert.That((await gateway.Go.PinAsync(mine[1])).Error, Is.Null);
        Assert.That(await gateway.Go.UnpinAsync(theirs), Is.Null);

        var warnings = gateway.Logs.Entries.Where(e => e.EventId.Id == 1404).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].Message, Does.Contain(other.PeerId).And.Contain("sole_gateway: false"));
        Assert.That(undercluster.SettlesPinWaits, Is.True);
        Assert.That(environment.Cluster.GetPin(theirs)!.Metadata, Does.ContainKey(other.OwnerKey).And.Not.ContainKey(gateway.OwnerKey));
        Assert.That(await ListAsync(gateway), Is.EquivalentTo(mine.Take(2)));
    }

    /// <summary>
    /// Inverse multi-ring: three overclusters (one gateway each) share one undercluster. Each full listing shows
    /// only that gateway's pins, and a per-CID status of another ring's pin is "not pinned".
    /// </summary>
    [Test]
    public async Task InverseMultiRing_ThreeGatewaysOneUndercluster_EachListsOnlyItsOwnPins()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 3 });
        var gateways = environment.Gateways;
        var shared = TestEnvironment.NewCids(5);
        var own = gateways.Select(_ => TestEnvironment.NewCids(8)).ToList();
        environment.Cluster.Seed(50);

        var pinned = await Task.WhenAll(gateways.Select((g, i) => new GoClusterPeer(g.Go).PinAllAsync([.. own[i], .. shared])));

        Assert.That(pinned.SelectMany(p => p.Values), Has.All.Property(nameof(PinOutcome.Pinned)).True);
        Assert.That(environment.Cluster.State.Store.Count, Is.EqualTo(50 + (3 * 8) + 5));
        for (var i = 0; i < gateways.Count; i++)
        {
            Assert.That(await ListAsync(gateways[i]), Is.EquivalentTo(own[i].Concat(shared)), $"ring {i} lists only its own pins");
            var neighbour = own[(i + 1) % gateways.Count][0];
            Assert.That((await gateways[i].Go.PinLsCidAsync(neighbour)).Status, Is.EqualTo(IpfsPinStatus.Unpinned), $"ring {i} does not see its neighbour's pin");
        }
    }

    [Test]
    public async Task PreExistingPin_JoinedAndLeftByGateways_NeverDeletedAndKeepsItsOwnNameAndMetadata()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 2 });
        var (a, b) = (environment.Gateways[0], environment.Gateways[1]);
        var cid = TestEnvironment.NewCid();
        using var rest = new HttpClient { BaseAddress = environment.Cluster.BaseAddress };
        (await rest.PostAsync($"pins/{cid}?name=operator-backup&meta-team=ops", null)).EnsureSuccessStatusCode();

        var stormed = await b.Go.UnpinAsync(cid);
        Assert.That(stormed, Is.Null, "B never owned it: 'not pinned or pinned indirectly'");
        Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null);

        Assert.That((await a.Go.PinAsync(cid)).Error, Is.Null);
        Assert.That((await b.Go.PinAsync(cid)).Error, Is.Null);
        Assert.That(environment.Cluster.GetPin(cid)!.Metadata, Does.ContainKey(a.OwnerKey).And.ContainKey(b.OwnerKey).And.ContainKey("team"));

        Assert.That(await a.Go.UnpinAsync(cid), Is.Null);
        Assert.That(await b.Go.UnpinAsync(cid), Is.Null);

        var pin = environment.Cluster.GetPin(cid);
        Assert.That(pin, Is.Not.Null, "a pin no gateway created is never deleted by a gateway");
        Assert.That(pin!.Name, Is.EqualTo("operator-backup"));
        Assert.That(pin.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "ops" }));
        Assert.That(await ListAsync(a), Is.Empty);
        Assert.That(await ListAsync(b), Is.Empty);
    }

    /// <summary>
    /// Both overcluster peers race pin/add and pin/rm on the same CIDs (≤10 operations in flight each, the Go
    /// peer's limit). Afterwards every CID a gateway still wants is in the pinset with that gateway's owner key,
    /// and each gateway lists exactly the pins holding its key.
    /// </summary>
    [Test]
    public async Task Race_PinAddAndPinRmFromBothGateways_WantedPinsKeepTheirOwners()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Gateways = 2,
            PinPath = TestEnvironment.FastPinPath with { UnpinRecheckDelay = TimeSpan.FromMilliseconds(20) },
        });
        var gateways = environment.Gateways;
        var cids = TestEnvironment.NewCids(16);
        var random = new Random(4321);
        var scripts = gateways.Select(_ => cids.Select(_ => Enumerable.Range(0, 6).Select(_ => random.Next(2) == 0).ToArray()).ToArray()).ToArray();
        var errors = new ConcurrentQueue<string>();

        await Task.WhenAll(gateways.Select((gateway, g) => Parallel.ForEachAsync(
            Enumerable.Range(0, cids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = GoClusterPeer.ConcurrentPins },
            async (c, token) =>
            {
                foreach (var pin in scripts[g][c])
                {
                    var error = pin ? (await gateway.Go.PinAsync(cids[c], cancellationToken: token)).Error : await gateway.Go.UnpinAsync(cids[c], token);
                    if (error is not null)
                    {
                        errors.Enqueue($"{(pin ? "pin" : "unpin")} {cids[c]} by {g}: {error}");
                    }
                }
            })));

        var lost = new List<string>();
        var staleKeys = 0;
        for (var g = 0; g < gateways.Count; g++)
        {
            var wanted = cids.Where((_, c) => scripts[g][c][^1]).ToList();
            foreach (var cid in wanted)
            {
                var metadata = environment.Cluster.GetPin(cid)?.Metadata;
                if (metadata is null || !metadata.ContainsKey(gateways[g].OwnerKey))
                {
                    lost.Add($"{cid} wanted by gateway {g}: {(metadata is null ? "not in pinset" : string.Join(",", metadata.Keys))}");
                }
            }

            // The listing is the undercluster's truth about this gateway's keys: everything wanted, plus any pin whose
            // key a concurrent writer restored from a stale read (docs/design/ownership.md: "kept too long, never lost").
            var listed = await ListAsync(gateways[g]);
            var keyed = cids.Where(cid => environment.Cluster.GetPin(cid)?.Metadata?.ContainsKey(gateways[g].OwnerKey) == true).ToList();
            Assert.That(listed, Is.EquivalentTo(keyed), $"gateway {g} lists exactly the pins holding its key");
            Assert.That(listed, Is.SupersetOf(wanted), $"gateway {g} lists everything it wants");
            staleKeys += listed.Count - wanted.Count;
        }

        var unwanted = cids.Where((_, c) => !scripts[0][c][^1] && !scripts[1][c][^1]).Count(cid => environment.Cluster.GetPin(cid) is not null);
        TestContext.Out.WriteLine($"race: {cids.Count * 6 * 2} Go-peer operations on {cids.Count} CIDs by 2 gateways; errors {errors.Count}; pinned but unwanted afterwards: {unwanted}; stale owner keys: {staleKeys}");
        Assert.That(errors, Is.Empty);
        Assert.That(lost, Is.Empty);
    }

    private static async Task<List<string>> PinAndStormAsync(GoClusterPeer peer, List<string> allocatedHere, List<string> allocatedElsewhere)
    {
        var pins = peer.PinAllAsync(allocatedHere);
        var storm = peer.UnpinAllAsync(allocatedElsewhere);
        var problems = new List<string>();
        problems.AddRange((await pins).Where(p => !p.Value.Pinned).Select(p => $"pin {p.Key}: {p.Value.Error}"));
        problems.AddRange((await storm).Where(p => p.Value is not null).Select(p => $"pin/rm {p.Key}: {p.Value}"));
        return problems;
    }

    private static async Task<List<string>> ListAsync(GatewayUnderTest gateway)
    {
        var listing = await gateway.Go.PinLsAsync();
        Assert.That(listing.Error, Is.Null);
        return [.. listing.Value!.Keys];
    }
}
