using System.Text;
using System.Text.Json;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Tests.Clusters;

public sealed class ListingViewTests
{
    // An emulator /pins?cids= line (the shape of ipfs-cluster's GlobalPinInfo), two peers, one with an error.
    private const string StatusLine = """
        {"cid":"bafkreidfhd2v43sg64zqz6nakiqbepcm7enshwpexmoaa744dxpkgohd2e","name":"n","allocations":["12D3KooWA"],"origins":[],"created":"2026-12-03T07:22:12Z","metadata":{"k":"v"},"peer_map":{"12D3KooWA":{"peername":"peer-0","ipfs_peer_id":"12D3KooWX","ipfs_peer_addresses":["/ip4/1.2.3.4"],"status":"pinned","timestamp":"2026-12-03T07:22:12Z","error":"","attempt_count":0,"priority_pin":false},"12D3KooWB":{"peername":"peer-1","status":"pin_error","timestamp":"2026-12-03T07:22:12Z","error":"boom","attempt_count":2,"priority_pin":true}}}
        """;

    [Test]
    public async Task Status_StreamedInSmallReads_ReadsCidAndPeerStatusesOnly()
    {
        // Two items through the streaming reader, one byte per read: the reader must cope with values split across buffers.
        var items = await ReadAllAsync(StatusLine + "\n" + StatusLine.Replace("pin_error", "weird_status", StringComparison.Ordinal));

        Assert.That(items, Has.Count.EqualTo(2));
        var first = items[0];
        Assert.Multiple(() =>
        {
            Assert.That(first.Cid, Is.EqualTo("bafkreidfhd2v43sg64zqz6nakiqbepcm7enshwpexmoaa744dxpkgohd2e"));
            Assert.That(first.PeerMap.Keys, Is.EqualTo(new[] { "12D3KooWA", "12D3KooWB" }));
            Assert.That(first.PeerMap["12D3KooWA"].Status, Is.SameAs(TrackerStatus.Pinned));
            Assert.That(first.PeerMap["12D3KooWA"].Peername, Is.EqualTo("peer-0"));
            Assert.That(first.PeerMap["12D3KooWB"].Status, Is.SameAs(TrackerStatus.PinError));
            Assert.That(first.PeerMap["12D3KooWB"].Error, Is.EqualTo("boom"));
            Assert.That(first.Metadata, Is.Null, "members the listing does not read stay at their defaults");
            Assert.That(items[1].PeerMap["12D3KooWB"].Status, Is.EqualTo("weird_status"));
        });
    }

    [Test]
    public void Status_NotAnObject_IsABadBody()
    {
        Assert.That(() => JsonSerializer.Deserialize("[1]", ListingView.Status), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public async Task Pin_StreamedInSmallReads_ReadsWhatTheListingNeeds()
    {
        const string line = """
            {"replication_factor_min":2,"replication_factor_max":3,"name":"x","mode":"direct","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{"o":"1"},"pin_update":null,"origins":[],"cid":"bafy","type":"pin","allocations":["a","b"],"max_depth":0,"reference":null,"timestamp":"2026-12-03T07:22:12Z"}
            """;
        await using var body = new OneByteStream(Encoding.UTF8.GetBytes(line + "\n"));
        var pins = new List<ClusterPin>();
        await foreach (var pin in JsonSerializer.DeserializeAsyncEnumerable(body, ListingView.Pin, topLevelValues: true))
        {
            pins.Add(pin!);
        }

        var read = pins.Single();
        Assert.Multiple(() =>
        {
            Assert.That((read.Cid, read.Name, read.MaxDepth, read.ReplicationFactorMin, read.ReplicationFactorMax), Is.EqualTo(("bafy", "x", 0, 2, 3)));
            Assert.That(read.Allocations, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(read.Metadata, Is.EqualTo(new Dictionary<string, string> { ["o"] = "1" }));
            Assert.That(read.Timestamp, Is.EqualTo(new ClusterPin().Timestamp), "members the listing does not read stay at their defaults");
        });
    }

    private static async Task<List<GlobalPinInfo>> ReadAllAsync(string ndjson)
    {
        await using var body = new OneByteStream(Encoding.UTF8.GetBytes(ndjson + "\n"));
        var items = new List<GlobalPinInfo>();
        await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable(body, ListingView.Status, topLevelValues: true))
        {
            items.Add(item!);
        }

        return items;
    }

    /// <summary>A stream that gives one byte per read, as a slow connection may.</summary>
    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    }
}
