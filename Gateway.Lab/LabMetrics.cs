using System.Globalization;
using System.Text.Json;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// The monitor metrics each simulated peer publishes (docs/protocol/cluster-rest.md §5.15): <c>ping</c>, <c>freespace</c>
/// (capacity − used; absent when nothing is free), <c>tag:group</c> (<c>default</c>) and <c>pinqueue</c>.
/// Peers forced down publish nothing. Times are Unix nanoseconds of the injected clock.
/// </summary>
internal static class LabMetrics
{
    public const string Ping = "ping";
    public const string Freespace = "freespace";
    public const string TagGroup = "tag:group";
    public const string PinQueue = "pinqueue";

    public static IReadOnlyList<string> Names { get; } = [Ping, Freespace, TagGroup, PinQueue];

    /// <summary>Latest valid metric of <paramref name="name"/> per live peer, sorted by peer ID; [] when none.</summary>
    public static IReadOnlyList<ClusterMetric> Latest(LabCluster cluster, string name)
    {
        var now = cluster.Time.GetUtcNow();
        var receivedAt = UnixNanoseconds(now);
        var expire = UnixNanoseconds(now + cluster.Options.MetricTtl);
        var metrics = new List<ClusterMetric>();
        foreach (var peer in cluster.PeersById)
        {
            if (cluster.IsDown(peer))
            {
                continue;
            }

            var metric = new ClusterMetric { Name = name, Peer = peer.Id, Expire = expire, Valid = true, ReceivedAt = receivedAt };
            switch (name)
            {
                case Freespace when peer.FreeBytes > 0:
                    metrics.Add(metric with { Value = peer.FreeBytes.ToString(CultureInfo.InvariantCulture), Weight = peer.FreeBytes });
                    break;
                case Ping:
                    metrics.Add(metric with { Value = PingValue(peer) });
                    break;
                case TagGroup:
                    metrics.Add(metric with { Value = "default", Partitionable = true });
                    break;
                case PinQueue:
                    var queued = QueuedOn(cluster, peer);
                    metrics.Add(metric with { Value = queued.ToString(CultureInfo.InvariantCulture), Weight = -queued });
                    break;
            }
        }

        return metrics;
    }

    private static long UnixNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary><c>{"peer_name":…,"ipfs_id":…,"ipfs_addresses":[…]}</c> (ipfs-cluster <c>pingValue</c>).</summary>
    private static string PingValue(LabPeer peer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("peer_name", peer.Name);
            writer.WriteString("ipfs_id", peer.IpfsId);
            writer.WriteStartArray("ipfs_addresses");
            foreach (var address in peer.IpfsAddresses)
            {
                writer.WriteStringValue(address);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Pins waiting in this peer's queue. A scan, but only when pins can be queued at all.</summary>
    private static long QueuedOn(LabCluster cluster, LabPeer peer)
    {
        if (!cluster.HasDelayedPins)
        {
            return 0;
        }

        var now = cluster.NowTicks;
        long queued = 0;
        foreach (var (cid, pin) in cluster.Store.Enumerate(now))
        {
            if (pin.DelayMs > 0 && PeerStatusMachine.Of(cluster, cid, pin, peer, now, now).Status == TrackerStatus.PinQueued)
            {
                queued++;
            }
        }

        return queued;
    }
}
