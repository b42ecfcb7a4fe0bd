using System.Diagnostics;
using System.Net;
using CompositeGateway.Cli;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab.Topology;

namespace CompositeGateway.Tests.Lab;

/// <summary>
/// Every built-in topology end to end (docs/development/lab-topologies.md): emulated overclusters whose peers drive
/// real gateways as their IPFS daemons, gateways in front of emulated underclusters. A pin requested with
/// <c>POST /pins/{cid}</c> at the top must be pinned at the bottom before the top reports it pinned.
/// </summary>
[NonParallelizable]
public sealed class TopologyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static long _nextCid = Environment.TickCount64 % 1_000_000 * 1000;

    internal static LabUpSettings FastSettings => new()
    {
        PinDelay = TimeSpan.FromMilliseconds(300),
        RecoverInterval = TimeSpan.FromSeconds(2),
        Connector = new GoIpfsConnectorOptions { PinTimeout = TimeSpan.FromSeconds(5), IpfsRequestTimeout = TimeSpan.FromSeconds(10), RecordSent = false },
        PinPath = new() { PollInterval = TimeSpan.FromMilliseconds(50), UnreachableAfter = TimeSpan.FromSeconds(3) },
        Health = new() { ProbeInterval = TimeSpan.FromMilliseconds(500) },
        UnderclusterTimeout = TimeSpan.FromSeconds(5),
        RandomSeed = 7,
    };

    [TestCase("multi-ring")]
    [TestCase("cylinder")]
    [TestCase("pyramid")]
    public async Task LabUp_PinAtTop_PinnedAtBottomFirstThenAtTop_AndUnpinPropagates(string name)
    {
        await using var lab = await StartAsync(LabTopology.BuiltIn(name)!, FastSettings);
        var top = lab.Cluster(lab.Topology.Clusters[0].Name);
        var below = Below(lab);
        var cid = NextCid();
        using var http = new HttpClient { BaseAddress = top.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        using (var pin = await http.PostAsync($"pins/{cid}", null))
        {
            Assert.That(pin.StatusCode, Is.EqualTo(HttpStatusCode.OK), await pin.Content.ReadAsStringAsync());
        }

        await WaitAsync(() =>
        {
            if (!AllPinned(top, cid))
            {
                return false;
            }

            // The top concludes "pinned" only when pin/add ended, which the gateway allows once the level below is pinned.
            Assert.That(below.Where(c => !AllPinned(c, cid)).Select(c => c.Name), Is.Empty, "top reported pinned before the clusters below");
            return true;
        }, "pinned at the top");
        using (var status = await http.GetAsync($"pins/{cid}"))
        {
            Assert.That(await status.Content.ReadAsStringAsync(), Does.Contain("\"status\":\"pinned\"").And.Not.Contain("pin_error"));
        }

        using (var unpin = await http.DeleteAsync($"pins/{cid}"))
        {
            Assert.That(unpin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await WaitAsync(() => below.All(c => c.GetPin(cid) is null), "unpinned below");
    }

    [Test]
    public async Task InverseMultiRing_EachOverclusterListsOnlyItsOwnPins_AndNeitherDeletesTheOthers()
    {
        await using var lab = await StartAsync(LabTopology.BuiltIn("inverse-multi-ring")!, FastSettings);
        var (overA, overB, shared) = (lab.Cluster("over-a"), lab.Cluster("over-b"), lab.Cluster("shared"));
        var (onlyA, onlyB, both) = (NextCid(), NextCid(), NextCid());
        using var a = new HttpClient { BaseAddress = overA.BaseAddress };
        using var b = new HttpClient { BaseAddress = overB.BaseAddress };
        foreach (var (client, cid) in new[] { (a, onlyA), (b, onlyB), (a, both), (b, both) })
        {
            (await client.PostAsync($"pins/{cid}", null)).Dispose();
        }

        await WaitAsync(() => AllPinned(overA, onlyA) && AllPinned(overA, both) && AllPinned(overB, onlyB) && AllPinned(overB, both), "pinned at both tops");
        var listedA = await overA.Trackers[0]!.Ipfs.PinLsAsync();
        var listedB = await overB.Trackers[0]!.Ipfs.PinLsAsync();
        Assert.That(listedA.Value!.Keys, Is.EquivalentTo(new[] { onlyA, both }), "gateway a lists only over-a's pins");
        Assert.That(listedB.Value!.Keys, Is.EquivalentTo(new[] { onlyB, both }), "gateway b lists only over-b's pins");

        (await a.DeleteAsync($"pins/{both}")).Dispose();
        (await a.DeleteAsync($"pins/{onlyA}")).Dispose();
        await WaitAsync(() => shared.GetPin(onlyA) is null, "over-a's own pin unpinned in the shared cluster");
        Assert.That(shared.GetPin(both), Is.Not.Null, "over-b still holds it");
        Assert.That(AllPinned(shared, both) && AllPinned(shared, onlyB), Is.True);
        await overB.Trackers[0]!.RecoverAllAsync(CancellationToken.None);
        Assert.That(overB.PeerStatus(both, 0), Is.EqualTo("pinned"), "over-b's daemon still lists it");
    }

    [Test]
    public async Task Inception_RefusedWithinSeconds_NothingPilesUp()
    {
        await using var lab = await StartAsync(LabTopology.BuiltIn("inception")!, FastSettings);
        var over = lab.Cluster("over");
        var under = lab.Cluster("under");
        var cid = NextCid();
        using var http = new HttpClient { BaseAddress = over.BaseAddress };
        (await http.PostAsync($"pins/{cid}", null)).Dispose();

        var clock = Stopwatch.StartNew();
        await WaitAsync(() => over.PeerStatus(cid, 0) == "pin_error", "refused");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(over.State.Peers[0].IpfsId, Is.EqualTo(lab.PeerIdOf("gw")));
        using var admin = new HttpClient { BaseAddress = lab.AdminUrl("gw") };
        using (var ready = await admin.GetAsync("ready"))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("inception"));
        }

        // Let recovery rounds run: requests stay bounded (one round every recover interval), and nothing reached the undercluster.
        var before = over.Trackers[0]!.Ipfs.RequestCount + under.Trackers[0]!.Ipfs.RequestCount;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = over.Trackers[0]!.Ipfs.RequestCount + under.Trackers[0]!.Ipfs.RequestCount;
        Assert.That(after - before, Is.LessThan(60), "requests per 5 s");
        Assert.That(under.GetPin(cid), Is.Null);
        Assert.That(over.PeerStatus(cid, 0), Is.EqualTo("pin_error").Or.EqualTo("pinning").Or.EqualTo("pin_queued"));
    }

    [Test]
    public async Task Pyramid_MiddleGatewayRestart_NoFalseSuccess_ThenPinned()
    {
        var settings = FastSettings with { PinDelay = TimeSpan.FromSeconds(2) };
        await using var lab = await StartAsync(LabTopology.BuiltIn("pyramid")!, settings);
        var top = lab.Cluster("top");
        var below = Below(lab);
        var cid = NextCid();
        using var http = new HttpClient { BaseAddress = top.BaseAddress };
        (await http.PostAsync($"pins/{cid}", null)).Dispose();

        var watch = Task.Run(async () =>
        {
            while (!AllPinned(top, cid))
            {
                await Task.Delay(20);
            }

            return below.Where(c => !AllPinned(c, cid)).Select(c => c.Name).ToList();
        });
        await Task.Delay(500);
        await lab.RestartGatewayAsync("gw-m0", TimeSpan.FromMilliseconds(500), CancellationToken.None);

        var notYet = await watch.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.That(notYet, Is.Empty, "top reported pinned before every cluster below");
    }

    internal static async Task<LabTopologyHost> StartAsync(LabTopology topology, LabUpSettings settings)
    {
        var lab = await LabTopologyHost.StartAsync(topology, settings, loggerFactory: null, CancellationToken.None);
        try
        {
            await WaitAsync(() => lab.Clusters.Values.SelectMany(c => c.Trackers).All(t => t is null || t.IsReady), "every peer's daemon answered id");
            if (topology.Name != "inception")
            {
                using var admin = new HttpClient();
                foreach (var gateway in topology.Gateways)
                {
                    await WaitForAsync(async () =>
                    {
                        using var ready = await admin.GetAsync(new Uri(lab.AdminUrl(gateway.Name), "ready"));
                        return ready.IsSuccessStatusCode;
                    }, $"gateway {gateway.Name} ready");
                }
            }
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    internal static List<EmulatedCluster> Below(LabTopologyHost lab) =>
        [.. lab.Topology.Gateways.Select(g => g.Undercluster).Distinct().Select(lab.Cluster)];

    internal static bool AllPinned(EmulatedCluster cluster, string cid) =>
        cluster.Peers.All(p => cluster.PeerStatus(cid, p.Index) == "pinned");

    internal static string NextCid() => LabCids.Synthetic(Interlocked.Increment(ref _nextCid));

    internal static Task WaitAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"not {what} within {Patience.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }
}
