using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class MetricsEndpointsTests
{
    private const string Cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    [Test]
    public async Task MetricNames_Answers_TheFourInformers()
    {
        await using var lab = await LabHarness.StartAsync();
        var (_, body) = await lab.GetAsync("/monitor/metrics");

        Assert.That(body, Is.EqualTo("[\"ping\",\"freespace\",\"tag:group\",\"pinqueue\"]\n"));
    }

    [Test]
    public async Task Freespace_ShrinksOnAllocatedPeers_WithUnixNanoTimes()
    {
        var options = new EmulatedClusterOptions { Capacity = 10L << 30, NominalPinSize = 1 << 20 };
        await using var lab = await LabHarness.StartAsync(options);
        await lab.PostAsync($"/pins/{Cid}?replication=1");

        var (_, body) = await lab.GetAsync("/monitor/metrics/freespace");
        var metrics = JsonNode.Parse(body)!.AsArray().Select(m => m!.AsObject()).ToList();
        var now = (LabHarness.Epoch.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

        Assert.Multiple(() =>
        {
            Assert.That(metrics.Select(m => m["peer"]!.GetValue<string>()), Is.EqualTo(lab.State.PeersById.Select(p => p.Id)), "sorted by peer ID");
            Assert.That(LabHarness.Keys(metrics[0]), Is.EqualTo(new[] { "name", "peer", "value", "expire", "valid", "weight", "partitionable", "received_at" }));
            var allocated = metrics.Single(m => m["peer"]!.GetValue<string>() == lab.Peer(0));
            Assert.That(allocated["value"]!.GetValue<string>(), Is.EqualTo(((10L << 30) - (1 << 20)).ToString(CultureInfo.InvariantCulture)));
            Assert.That(allocated["weight"]!.GetValue<long>(), Is.EqualTo((10L << 30) - (1 << 20)));
            Assert.That(metrics.Count(m => m["value"]!.GetValue<string>() == (10L << 30).ToString(CultureInfo.InvariantCulture)), Is.EqualTo(2));
            Assert.That(allocated["received_at"]!.GetValue<long>(), Is.EqualTo(now));
            Assert.That(allocated["expire"]!.GetValue<long>(), Is.EqualTo(now + 30_000_000_000));
            Assert.That(allocated["valid"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public async Task Freespace_PeerDownOrFull_HasNoMetric()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { Capacity = 1 << 20, NominalPinSize = 1 << 20 });
        await lab.PostAsync($"/pins/{Cid}?replication=1");
        lab.Cluster.SetPeerDown(2, true);

        var (_, body) = await lab.GetAsync("/monitor/metrics/freespace");
        var peers = JsonNode.Parse(body)!.AsArray().Select(m => m!["peer"]!.GetValue<string>()).ToList();

        Assert.That(peers, Is.EquivalentTo(new[] { lab.Peer(1) }));
    }

    [Test]
    public async Task Ping_Value_CarriesPeerNameAndIpfsIdentity()
    {
        await using var lab = await LabHarness.StartAsync();
        var (_, body) = await lab.GetAsync("/monitor/metrics/ping");
        var metric = JsonNode.Parse(body)!.AsArray().Single(m => m!["peer"]!.GetValue<string>() == lab.Peer(0))!;
        var value = JsonNode.Parse(metric["value"]!.GetValue<string>())!;

        Assert.Multiple(() =>
        {
            Assert.That(value["peer_name"]!.GetValue<string>(), Is.EqualTo(lab.Cluster.Peers[0].Name));
            Assert.That(value["ipfs_id"]!.GetValue<string>(), Is.EqualTo(lab.Cluster.Peers[0].IpfsId));
            Assert.That(value["ipfs_addresses"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task PinQueue_CountsQueuedPins_AndTagGroupIsDefault()
    {
        await using var lab = await LabHarness.StartAsync(new EmulatedClusterOptions { PinDelay = TimeSpan.FromSeconds(10) });
        await lab.PostAsync($"/pins/{Cid}");

        var queue = JsonNode.Parse((await lab.GetAsync("/monitor/metrics/pinqueue")).Body)!.AsArray();
        var tags = JsonNode.Parse((await lab.GetAsync("/monitor/metrics/tag:group")).Body)!.AsArray();
        var (_, unknown) = await lab.GetAsync("/monitor/metrics/nothing");

        Assert.Multiple(() =>
        {
            Assert.That(queue.Select(m => m!["value"]!.GetValue<string>()), Is.All.EqualTo("1"));
            Assert.That(queue.Select(m => m!["weight"]!.GetValue<long>()), Is.All.EqualTo(-1));
            Assert.That(tags.Select(m => m!["value"]!.GetValue<string>()), Is.All.EqualTo("default"));
            Assert.That(tags.Select(m => m!["partitionable"]!.GetValue<bool>()), Is.All.True);
            Assert.That(unknown, Is.EqualTo("[]\n"));
        });
    }

    [Test]
    public async Task RepoGc_AnswersEveryPeerWithKeys()
    {
        await using var lab = await LabHarness.StartAsync();
        lab.Cluster.SetPeerDown(1, true);
        var (response, body) = await lab.PostAsync("/ipfs/gc");
        var peerMap = JsonNode.Parse(body)!["peer_map"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(peerMap, Has.Count.EqualTo(3));
            Assert.That(peerMap[lab.Peer(0)]!["keys"]!.AsArray(), Is.Empty);
            Assert.That(peerMap[lab.Peer(0)]!.AsObject().ContainsKey("error"), Is.False);
            Assert.That(peerMap[lab.Peer(1)]!["error"]!.GetValue<string>(), Is.Not.Empty);
        });
    }
}
