using System.Collections.Concurrent;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// Scale-out (docs/deployment.md#scale-out): the gateway keeps no state of its own, so two replicas that share one
/// identity key can stand behind one address. Two gateway hosts with ONE key in front of one emulated undercluster;
/// one replayed Go peer's requests alternate between them, as a load balancer would spread them. The peer must see
/// one consistent daemon: the same ID, every pin visible from both, no duplicate pins or owners, an unpin through
/// the other replica works, the same free space.
/// </summary>
public sealed class ScaleOutTests
{
    [Test]
    public async Task TwoReplicasOneKey_OnePeerAlternatingBetweenThem_SeesOneConsistentDaemon()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Gateways = 1,
            // Pins take a while, so each pin/add really waits (progress ticks) before it answers.
            Cluster = new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(300) },
        });
        var first = environment.Gateway;
        var second = await environment.AddGatewayAsync(options => options with { IdentityFile = first.Options.IdentityFile });
        var peer = new AlternatingPeer(first.Go, second.Go);

        // One daemon ID, whoever answers.
        var ids = new[] { await peer.Next().IdAsync(), await peer.Next().IdAsync() };
        Assert.That(ids.Select(i => i.Error), Has.All.Null);
        Assert.That(ids.Select(i => i.Value!.Id), Has.All.EqualTo(first.PeerId));
        Assert.That(second.PeerId, Is.EqualTo(first.PeerId));
        Assert.That(ids[1].Value!.Addresses, Is.EquivalentTo(ids[0].Value!.Addresses));

        // Pins with waits, as the Go peer's 10 pin workers send them, each request to the next replica.
        var cids = TestEnvironment.NewCids(20);
        var outcomes = new ConcurrentDictionary<string, PinOutcome>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(cids, new ParallelOptions { MaxDegreeOfParallelism = GoClusterPeer.ConcurrentPins }, async (cid, token) =>
            outcomes[cid] = await peer.Next().PinAsync(cid, cancellationToken: token));
        Assert.That(outcomes.Values.Select(o => o.Error), Has.All.Null);
        Assert.That(outcomes.Values.Where(o => o.Progress.Count > 0), Is.Not.Empty, "some pin/add really waited");

        // Every pin is visible from both replicas, in full listings and per CID, each exactly once.
        foreach (var replica in new[] { first.Go, second.Go })
        {
            var listing = await replica.PinLsAsync();
            Assert.That(listing.Error, Is.Null);
            Assert.That(listing.Value!.Keys, Is.EquivalentTo(cids));
            Assert.That(await ListedLinesAsync(replica), Is.EqualTo(cids.Count), "no CID listed twice");
        }

        foreach (var cid in cids)
        {
            Assert.That((await peer.Next().PinLsCidAsync(cid)).Status, Is.EqualTo(IpfsPinStatus.Recursive), cid);
        }

        // Pinning again through the other replica (the Go peer's recover loop does this) adds nothing:
        // one undercluster pin per CID, one owner — the shared identity.
        var again = await Task.WhenAll(cids.Take(10).Select(cid => peer.Next().PinAsync(cid)));
        Assert.That(again.Select(o => o.Error), Has.All.Null);
        Assert.That(environment.Cluster.State.Store.Count, Is.EqualTo(cids.Count));
        Assert.That(cids.Select(OwnerKeys), Has.All.EqualTo(new[] { first.OwnerKey }));

        // Unpin: each through the replica that did NOT pin it last; then neither lists it.
        var unpinned = cids.Take(8).ToList();
        foreach (var cid in unpinned)
        {
            Assert.That(await peer.Next().UnpinAsync(cid), Is.Null, cid);
        }

        Assert.That(unpinned.Select(environment.Cluster.GetPin), Has.All.Null, "the undercluster pins are gone");
        foreach (var replica in new[] { first.Go, second.Go })
        {
            Assert.That((await replica.PinLsAsync()).Value!.Keys, Is.EquivalentTo(cids.Skip(8)));
            Assert.That((await replica.PinLsCidAsync(unpinned[0])).Status, Is.EqualTo(IpfsPinStatus.Unpinned));
        }

        // The same free space from both.
        var stats = new[] { await peer.Next().RepoStatAsync(), await peer.Next().RepoStatAsync() };
        Assert.That(stats.Select(s => s.Error), Has.All.Null);
        Assert.That(stats[1].Value, Is.EqualTo(stats[0].Value));
        Assert.That(stats[0].Value!.StorageMax, Is.Positive);

        Assert.That(peer.Served, Has.All.GreaterThan(10), "both replicas answered a share of the peer's requests");
        Assert.That(first.Logs.Entries.Concat(second.Logs.Entries).Where(e => e.Level >= LogLevel.Error).Select(e => e.Message), Is.Empty);

        string[] OwnerKeys(string cid) =>
            [.. (environment.Cluster.GetPin(cid)?.Metadata ?? new Dictionary<string, string>()).Keys.Where(k => k.StartsWith(first.Options.PinPath.MetadataPrefix + "owner/", StringComparison.Ordinal))];
    }

    private static async Task<int> ListedLinesAsync(GoIpfsConnector replica)
    {
        using var response = await replica.SendAsync("pin/ls?stream=true&type=recursive", CancellationToken.None);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    /// <summary>One peer's requests spread over the replicas in turn, as a round-robin load balancer would.</summary>
    private sealed class AlternatingPeer(params GoIpfsConnector[] replicas)
    {
        private int _next = -1;
        private readonly int[] _served = new int[replicas.Length];

        public IReadOnlyList<int> Served => _served;

        public GoIpfsConnector Next()
        {
            var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)replicas.Length);
            Interlocked.Increment(ref _served[index]);
            return replicas[index];
        }
    }
}
