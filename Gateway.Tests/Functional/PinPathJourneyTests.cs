using CompositeGateway.Lab.Connector;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// The issue's acceptance journey ("The pin path"): a replayed overcluster peer talks to the real gateway,
/// which talks to the real emulator; every conclusion is the Go peer's and every fact is the emulator's state.
/// </summary>
public sealed class PinPathJourneyTests
{
    [Test]
    public async Task GoPeer_ThousandPinsTenAtATime_EachDoneOnlyWhenPinnedThenListedThenAllUnpinned()
    {
        var pinDelay = TimeSpan.FromMilliseconds(40);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new EmulatedClusterOptions { PinDelay = pinDelay },
            PinPath = TestEnvironment.FastPinPath with { PollInterval = TimeSpan.FromMilliseconds(20) },
        });
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        var peer = new GoClusterPeer(gateway.Go);
        var cids = TestEnvironment.NewCids(1000);
        var early = new ConcurrentQueue<string>();

        var outcomes = await peer.PinAllAsync(cids, (cid, outcome) =>
        {
            // The moment pin/add ended cleanly: the emulator must already say pinned on every peer (replicate-
            // everywhere is its default), and the pin must have been in the pinset for at least the pin delay.
            var statuses = Enumerable.Range(0, cluster.Peers.Count).Select(i => cluster.PeerStatus(cid, i)).ToList();
            var age = cluster.State.Store.TryGet(cid, cluster.State.NowTicks, out var stored)
                ? TimeSpan.FromTicks(cluster.State.NowTicks - stored.QueuedAtTicks)
                : TimeSpan.Zero;
            if (outcome.Pinned && (statuses.Any(s => s != TrackerStatus.Pinned) || age < pinDelay))
            {
                early.Enqueue($"{cid}: [{string.Join(",", statuses)}] after {age.TotalMilliseconds:0} ms");
            }
        });
        var pinAdds = gateway.Go.Sent.Count(s => s.StartsWith("pin/add?", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Values.Where(o => !o.Pinned).Select(o => o.Error!.Text), Is.Empty);
            Assert.That(early, Is.Empty, "pin/add ended before the emulator had the pin");
            Assert.That(pinAdds, Is.EqualTo(1000), "every operation needed a pin/add (pin/ls said not pinned first)");
            Assert.That(cluster.State.Store.Count, Is.EqualTo(1000));
            Assert.That(cids.Select(cid => cluster.GetPin(cid)?.Metadata), Has.All.ContainKey(gateway.OwnerKey));
        });

        var listing = await gateway.Go.PinLsAsync();
        Assert.That(listing.Error, Is.Null);
        Assert.That(listing.Value!.Keys, Is.EquivalentTo(cids));
        Assert.That(listing.Value.Values, Has.All.EqualTo(IpfsPinStatus.Recursive));

        var stillThere = new ConcurrentQueue<string>();
        var unpins = await peer.UnpinAllAsync(cids, (cid, error) =>
        {
            if (error is null && cluster.GetPin(cid) is not null)
            {
                stillThere.Enqueue(cid);
            }
        });
        Assert.Multiple(() =>
        {
            Assert.That(unpins.Values.Where(e => e is not null).Select(e => e!.Text), Is.Empty);
            Assert.That(stillThere, Is.Empty, "pin/rm answered before the undercluster pin was gone");
            Assert.That(cluster.State.Store.Count, Is.Zero, "the emulator's pinset is empty at the end");
        });
        var after = await gateway.Go.PinLsAsync();
        Assert.That(after.Error, Is.Null);
        Assert.That(after.Value, Is.Empty);
        TestContext.Out.WriteLine($"1,000 pins through the gateway, {GoClusterPeer.ConcurrentPins} at a time; {gateway.Go.Sent.Count} requests sent");
    }

    [Test]
    public async Task FirstPin_OfAFreshGateway_NoConcurrentWriteWarning()
    {
        // The first pin is created before the gateway knows the cluster's default replication; completing its shape key
        // afterwards involves no other writer and must not be logged as ownership lost to one.
        await using var environment = await TestEnvironment.StartAsync();
        var outcome = await environment.Gateway.Go.PinAsync(TestEnvironment.NewCid());

        Assert.That(outcome.Error, Is.Null);
        Assert.That(environment.Gateway.Logs.Entries.Where(e => e.EventId.Id == 1412).Select(e => e.Message), Is.Empty);
    }

    [Test]
    public async Task GoPeer_StartupIdLoop_ReadyWithGatewayPeerIdAndEmulatorSwarmAddresses()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;

        var (id, attempts) = await StartupIdLoopAsync(gateway.Go);

        Assert.That(attempts, Is.EqualTo(1), "the first id answered");
        Assert.That(id.Id, Is.EqualTo(gateway.PeerId).And.StartsWith("12D3KooW"));
        Assert.That(GoPeerId.Check(id.Id), Is.Null, "peer.Decode accepts it");
        Assert.That(id.Addresses, Is.EquivalentTo(environment.Cluster.Peers.SelectMany(p => p.IpfsAddresses)));
    }

    [Test]
    public async Task GoPeer_StartupIdLoopWhileUnderclusterDown_StillReady()
    {
        await using var environment = await TestEnvironment.StartAsync();
        await environment.Cluster.GoDownAsync();

        var (id, attempts) = await StartupIdLoopAsync(environment.Gateway.Go);

        // ready() waits for id without a timeout (docs/protocol/kubo-rpc-as-called-by-cluster.md §2): an unreachable undercluster must not keep the peer from starting.
        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(id.Id, Is.EqualTo(environment.Gateway.PeerId));
    }

    [Test]
    public async Task GoPeer_StatusAllThenRecover_UnexpectedlyUnpinnedRepinnedAndDiskInformerSeesFreeSpace()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var cluster = environment.Cluster;
        var gateway = environment.Gateway;
        var peer = new GoClusterPeer(gateway.Go);
        var state = TestEnvironment.NewCids(12);
        var pinned = await peer.PinAllAsync(state);
        Assert.That(pinned.Values, Has.All.Property(nameof(PinOutcome.Pinned)).True);

        // Behind the gateway's back: two pins vanish from the undercluster (an operator's DELETE).
        using var rest = new HttpClient { BaseAddress = cluster.BaseAddress };
        (await rest.DeleteAsync("pins/" + state[3])).EnsureSuccessStatusCode();
        (await rest.DeleteAsync("pins/" + state[7])).EnsureSuccessStatusCode();

        var (status, repinned) = await peer.RecoverAllAsync(state);

        Assert.That(status.Error, Is.Null);
        var statuses = status.Value!;
        Assert.That(statuses.Where(s => s.Value != TrackerStatus.Pinned).Select(s => s.Key), Is.EquivalentTo(new[] { state[3], state[7] }));
        Assert.That(statuses.Where(s => s.Value == TrackerStatus.UnexpectedlyUnpinned).Select(s => s.Key), Is.EquivalentTo(new[] { state[3], state[7] }));
        Assert.That(repinned.Keys, Is.EquivalentTo(new[] { state[3], state[7] }));
        Assert.That(repinned.Values.Select(o => (o.Pinned, o.SkippedPinAdd)), Has.All.EqualTo((true, false)), "pin/ls?arg said not pinned, pin/add re-pinned");
        Assert.That(state.Select(cid => cluster.GetPin(cid)?.Metadata), Has.All.ContainKey(gateway.OwnerKey));

        // Per-item status (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.2): pin/ls?arg for each, now all pinned; a second recover finds nothing to do.
        var items = await Task.WhenAll(state.Select(cid => peer.StatusAsync(cid)));
        Assert.That(items, Has.All.EqualTo(TrackerStatus.Pinned));
        var (again, none) = await peer.RecoverAllAsync(state);
        Assert.That(again.Value!.Values, Has.All.EqualTo(TrackerStatus.Pinned));
        Assert.That(none, Is.Empty);

        // Disk informer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.8, §6): freespace = StorageMax − RepoSize, valid only when > 0, and < 2^63 to keep a
        // positive weight. With replicate-everywhere pins it is the smallest free space over the peers.
        var stat = await gateway.Go.RepoStatAsync();
        Assert.That(stat.Error, Is.Null);
        var free = stat.Value!.StorageMax - stat.Value.RepoSize;
        Assert.That(stat.Value.RepoSize, Is.LessThan(stat.Value.StorageMax));
        Assert.That(free, Is.LessThan(1UL << 63));
        Assert.That(free, Is.EqualTo((ulong)cluster.Peers.Min(p => p.FreeBytes)));
        Assert.That(free, Is.EqualTo((ulong)(new EmulatedClusterOptions().Capacity - (state.Count * new EmulatedClusterOptions().NominalPinSize))));
    }

    [Test]
    public async Task GoPeer_PinUpdate_NewPinOwnedAndOldKeptAsTheGoPeerAsks()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        var (from, to) = (TestEnvironment.NewCid(), TestEnvironment.NewCid());
        Assert.That((await gateway.Go.PinAsync(from)).Error, Is.Null);

        // docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3 step 3: the peer sends pin/update (unpin=false) when the pin's pin_update source is pinned here.
        Assert.That((await gateway.Go.PinLsCidAsync(from)).Status, Is.EqualTo(IpfsPinStatus.Recursive));
        var error = await gateway.Go.PinUpdateAsync(from, to);

        Assert.That(error, Is.Null);
        Assert.That(environment.Cluster.GetPin(to)?.Metadata, Does.ContainKey(gateway.OwnerKey));
        Assert.That(environment.Cluster.GetPin(from)?.Metadata, Does.ContainKey(gateway.OwnerKey), "unpin=false: the old pin stays");
        Assert.That(Enumerable.Range(0, 3).Select(i => environment.Cluster.PeerStatus(to, i)), Has.All.EqualTo(TrackerStatus.Pinned));
        Assert.That((await gateway.Go.PinLsAsync()).Value!.Keys, Is.EquivalentTo(new[] { from, to }));
    }

    [Test]
    public async Task GoPeer_PinRmOfNeverPinnedCids_ExactKuboTextSoPeerConcludesUnpinned()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        var cids = TestEnvironment.NewCids(30);

        var outcomes = await new GoClusterPeer(gateway.Go).UnpinAllAsync(cids);
        using var raw = await gateway.Go.SendAsync("pin/rm?arg=" + cids[0], CancellationToken.None);
        var body = await raw.Content.ReadAsStringAsync();

        Assert.That(outcomes.Values, Has.All.Null, "the peer reads exactly 'not pinned or pinned indirectly' as unpinned");
        Assert.That(raw.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("Message").GetString(), Is.EqualTo("not pinned or pinned indirectly"));
        Assert.That(environment.Cluster.State.Store.Count, Is.Zero);
    }

    /// <summary>
    /// The connector's start-up loop (docs/protocol/kubo-rpc-as-called-by-cluster.md §2): <c>id</c> once per second until it succeeds. Returns the answer and
    /// the attempts it took; gives up after 10 tries (the Go peer would keep trying, warning every 10).
    /// </summary>
    internal static async Task<(GoIpfsId Id, int Attempts)> StartupIdLoopAsync(GoIpfsConnector go)
    {
        for (var attempt = 1; ; attempt++)
        {
            var id = await go.IdAsync();
            if (id.Ok)
            {
                return (id.Value!, attempt);
            }

            if (attempt == 10)
            {
                Assert.Fail("id never succeeded: " + id.Error);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
