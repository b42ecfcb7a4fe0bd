using System.Net;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

/// <summary>Which emulated peers' daemons hold which blocks after <c>/add</c>, pins and gc.</summary>
public sealed class BlocksPerPeerTests
{
    [Test]
    public async Task AddCar_NoPinRootAbsent_AcceptedAndBlocksOnTheAllocatedPeersOnly()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 4 });
        var content = await LabContent.FileAsync(5000);
        var car = await content.CarAsync(only: content.NonRoot);

        var (items, trailer) = await LabContent.PostCarAsync(lab.Http, car, "no-pin=true&replication=2");

        var allocations = items.Single()["allocations"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(trailer, Is.Empty);
            Assert.That(items.Single()["cid"]!.GetValue<string>(), Is.EqualTo(content.Root.ToString()));
            Assert.That(items.Single()["size"]?.GetValue<long>() ?? 0, Is.Zero, "root not in the CAR: no UnixFS size");
            Assert.That(allocations, Has.Count.EqualTo(2));
            Assert.That(lab.State.Store.Count, Is.Zero, "no-pin");
            Assert.That(lab.Cluster.HasBlock(content.Root), Is.False);
            Assert.That(lab.Cluster.MissingBlocks(content.Root), Is.EqualTo(new[] { content.Root }));
            foreach (var cid in content.NonRoot)
            {
                Assert.That(lab.Cluster.HeldBy(cid), Is.EquivalentTo(allocations), cid.ToString());
            }
        });
    }

    [Test]
    public async Task AddLocal_BlocksGoToTheContactedPeerOnly_PinStaysOnTheAllocations()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 4 });
        var content = await LabContent.FileAsync(3000);

        var (items, _) = await LabContent.PostFileAsync(lab.Http, "f.bin", content.Bytes, "local=true&replication=2&cid-version=1&raw-leaves=true&chunker=size-1024");

        var cid = items.Single()["cid"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(cid, Is.EqualTo(content.Root.ToString()));
            Assert.That(items.Single()["allocations"]!.AsArray().Select(a => a!.GetValue<string>()), Does.Contain(lab.Peer(0)));
            Assert.That(lab.Cluster.GetPin(cid)!.Allocations, Has.Count.EqualTo(2));
        });
        // The pin's other peer fetches the DAG as its daemon pins it; a no-pin local add stays on peer 0.
        var (noPin, _) = await LabContent.PostFileAsync(lab.Http, "g.bin", [1, 2, 3], "local=true&no-pin=true&replication=2");
        Assert.That(lab.Cluster.HeldBy(noPin.Single()["cid"]!.GetValue<string>()), Is.EqualTo(new[] { lab.Peer(0) }));
    }

    [Test]
    public async Task ControlApi_ListsBlocksWithSizesAndPeers_OneBlockWithLinks_404WhenNotHeld()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 3 });
        var content = await LabContent.FileAsync(2500);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(), "replication=1");

        var (_, all, _) = await lab.StreamAsync("/_lab/blocks");
        var (_, onPeer, _) = await lab.StreamAsync("/_lab/blocks?peer=" + lab.Cluster.HeldBy(content.Root)[0]);
        var root = await lab.GetObjectAsync("/_lab/blocks/" + content.Root);
        var (missing, missingBody) = await lab.GetAsync("/_lab/blocks/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        var dag = await lab.GetObjectAsync("/_lab/dag/" + content.Root);

        Assert.Multiple(() =>
        {
            Assert.That(all.Select(b => b["cid"]!.GetValue<string>()), Is.EquivalentTo(content.Blocks.Cids.Select(c => c.ToString())));
            Assert.That(all.Sum(b => b["size"]!.GetValue<int>()), Is.EqualTo(lab.State.Blocks.Bytes));
            Assert.That(all.Select(b => b["peers"]!.AsArray().Count), Is.All.EqualTo(1));
            Assert.That(onPeer, Has.Count.EqualTo(all.Count));
            Assert.That(root["links"]!.AsArray().Select(l => l!.GetValue<string>()), Is.EquivalentTo(content.NonRoot.Select(c => c.ToString())));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), missingBody);
            Assert.That(dag["complete"]!.GetValue<bool>(), Is.True);
            Assert.That(dag["present"]!.GetValue<int>(), Is.EqualTo(content.Blocks.Count));
        });
    }

    [Test]
    public async Task Pin_OfContentHeldElsewhere_AllocatedPeersFetchTheDag_GcDropsItPerPeer()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 3 });
        var content = await LabContent.FileAsync(4000);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(), "no-pin=true&local=true");
        var before = lab.Cluster.HeldBy(content.Root);

        var (pinned, body) = await lab.PostAsync($"/pins/{content.Root}");
        var after = lab.Cluster.HeldBy(content.Root);
        await lab.DeleteAsync($"/pins/{content.Root}");
        var gc = JsonNode.Parse((await lab.PostAsync("/ipfs/gc")).Body)!;

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(new[] { lab.Peer(0) }));
            Assert.That(pinned.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(after, Is.EquivalentTo(lab.Cluster.Peers.Select(p => p.Id)), "replication -1: every peer's daemon pins it");
            Assert.That(lab.State.Blocks.Count, Is.Zero);
            Assert.That(gc["peer_map"]![lab.Peer(2)]!["keys"]!.AsArray(), Has.Count.EqualTo(content.Blocks.Count));
        });
    }

    [Test]
    public async Task Gc_KeepsBlocksOnPeersWhosePinReachesThem_RemovesThemFromOthers()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Peers = 3 });
        var content = await LabContent.FileAsync(4000);
        // Blocks on every peer (no-pin, replication -1), then a pin on one peer only.
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(), "no-pin=true");
        await lab.PostAsync($"/pins/{content.Root}?replication=1");
        var holder = lab.Cluster.GetPin(content.Root.ToString())!.Allocations!.Single();

        await lab.PostAsync("/ipfs/gc");

        Assert.That(lab.Cluster.HeldBy(content.Root), Is.EqualTo(new[] { holder }));
        Assert.That(content.NonRoot.Select(c => lab.Cluster.HeldBy(c).Count), Is.All.EqualTo(1));
    }

    [Test]
    public async Task KeepBlockBytesOff_RecordsCidsSizesLinksAndPeers_NotBytes()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { KeepBlockBytes = false });
        var content = await LabContent.FileAsync(9000);

        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(), "");

        Assert.Multiple(() =>
        {
            Assert.That(lab.State.Blocks.Count, Is.EqualTo(content.Blocks.Count));
            Assert.That(lab.State.Blocks.TryGet(content.Root, out var root) && root.Bytes is null && root.Links.Length == content.Blocks.Count - 1, Is.True);
            Assert.That(lab.Cluster.MissingBlocks(content.Root), Is.Empty);
            Assert.That(lab.State.StatusOf(content.Root.ToString(), 1), Is.EqualTo("pinned"));
        });
    }
}
