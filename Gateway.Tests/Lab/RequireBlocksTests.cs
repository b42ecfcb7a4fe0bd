using System.Net;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

/// <summary><see cref="EmulatedClusterOptions.RequireBlocks"/>: a pin finishes only when its whole DAG is in the cluster.</summary>
public sealed class RequireBlocksTests
{
    [Test]
    public async Task PinOfPartialDag_StaysPinning_UntilALaterCarBringsTheRest()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { RequireBlocks = true });
        var content = await LabContent.FileAsync(6000);
        var root = content.Root.ToString();
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: [content.Root]), "no-pin=true");

        var (pin, pinBody) = await lab.PostAsync($"/pins/{root}");
        var whilePartial = Enumerable.Range(0, 3).Select(i => lab.State.StatusOf(root, i)).ToList();
        var status = await lab.GetObjectAsync($"/pins/{root}");
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: content.NonRoot.Take(2)), "no-pin=true");
        var stillPartial = lab.State.StatusOf(root, 0);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: content.NonRoot.Skip(2)), "no-pin=true");

        Assert.Multiple(() =>
        {
            Assert.That(pin.StatusCode, Is.EqualTo(HttpStatusCode.OK), pinBody);
            Assert.That(whilePartial, Is.All.EqualTo("pinning"));
            Assert.That(status["peer_map"]![lab.Peer(1)]!["status"]!.GetValue<string>(), Is.EqualTo("pinning"));
            Assert.That(stillPartial, Is.EqualTo("pinning"));
            Assert.That(Enumerable.Range(0, 3).Select(i => lab.State.StatusOf(root, i)), Is.All.EqualTo("pinned"));
            Assert.That(lab.Cluster.HeldBy(content.NonRoot[^1]), Has.Count.EqualTo(3), "the pinning peers fetched what arrived");
        });
    }

    [Test]
    public async Task AddCarWithPin_MissingLeaves_PinningThenPinnedWhenTheyArrive()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { RequireBlocks = true });
        var content = await LabContent.FileAsync(3000);
        var root = content.Root.ToString();

        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: [content.Root]), "name=partial");
        var before = lab.State.StatusOf(root, 0);
        await LabContent.PostCarAsync(lab.Http, await content.CarAsync(only: content.NonRoot), "no-pin=true");

        Assert.That(before, Is.EqualTo("pinning"));
        Assert.That(lab.State.StatusOf(root, 0), Is.EqualTo("pinned"));
    }

    [Test]
    public async Task WithoutRequireBlocks_APinOfAbsentContentIsPinnedAsBefore()
    {
        await using var lab = await LabHarness.StartAsync();
        var content = await LabContent.FileAsync(3000);

        await lab.PostAsync($"/pins/{content.Root}");

        Assert.That(lab.State.StatusOf(content.Root.ToString(), 0), Is.EqualTo("pinned"));
    }

    [Test]
    public async Task DagCborLinks_AreFollowed_PinWaitsForTheLinkedRawBlock()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { RequireBlocks = true });
        var leaf = "hello"u8.ToArray();
        var leafCid = Cid.Hash(1, Multicodec.Raw, leaf);
        // {"a": <tag 42: 0x00 + leaf CID>}
        var cbor = new List<byte> { 0xA1, 0x61, (byte)'a', 0xD8, 0x2A, 0x58, (byte)(leafCid.ByteLength + 1), 0x00 };
        cbor.AddRange(leafCid.Bytes.ToArray());
        var rootCid = Cid.Hash(1, Multicodec.DagCbor, cbor.ToArray());

        await LabContent.PostCarAsync(lab.Http, await CarOfAsync(rootCid, rootCid, cbor.ToArray()), "");
        var before = lab.State.StatusOf(rootCid.ToString(), 0);
        var missing = lab.Cluster.MissingBlocks(rootCid);
        await LabContent.PostCarAsync(lab.Http, await CarOfAsync(rootCid, leafCid, leaf), "no-pin=true");

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo("pinning"));
            Assert.That(missing, Is.EqualTo(new[] { leafCid }));
            Assert.That(lab.State.StatusOf(rootCid.ToString(), 0), Is.EqualTo("pinned"));
        });
    }

    private static async Task<byte[]> CarOfAsync(Cid root, Cid cid, byte[] block)
    {
        using var car = new MemoryStream();
        var writer = await CarWriter.CreateAsync(car, [root], CancellationToken.None);
        await writer.PutAsync(cid, block, CancellationToken.None);
        return car.ToArray();
    }
}
