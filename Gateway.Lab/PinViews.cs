using CompositeGateway.Go;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>How stored pins look on the wire (docs/protocol/cluster-rest.md §2.1, §2.2).</summary>
internal static class PinViews
{
    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// A pin read back from the state (<c>/allocations</c>, DELETE answers): whole-second times,
    /// <c>mode</c> derived from <c>max_depth</c>, <c>user_allocations</c> null, <c>origins</c> [] when none,
    /// <c>metadata</c> null when none (docs/protocol/cluster-rest.md §5.12; <c>Pin.ProtoUnmarshal</c>).
    /// </summary>
    public static ClusterPin ReadBack(string cid, in StoredPin pin) => new()
    {
        ReplicationFactorMin = pin.ReplicationMin,
        ReplicationFactorMax = pin.ReplicationMax,
        Name = pin.Name,
        Mode = pin.MaxDepth == 0 ? "direct" : "recursive",
        ShardSize = pin.Extras?.ShardSize ?? 0,
        UserAllocations = null,
        ExpireAt = pin.ExpireAtTicks == 0 ? GoTime.Zero : Time(PeerStatusMachine.WholeSeconds(pin.ExpireAtTicks)),
        Metadata = pin.Extras?.MetadataMap,
        PinUpdate = pin.Extras?.PinUpdate,
        Origins = pin.Extras?.Origins ?? [],
        Cid = cid,
        Type = PinTypes.ToWire(pin.Type),
        Allocations = pin.Allocations.Ids,
        MaxDepth = pin.MaxDepth,
        Reference = pin.Extras?.Reference,
        Timestamp = Time(PeerStatusMachine.WholeSeconds(pin.TimestampTicks)),
    };

    public static IReadOnlyDictionary<string, string>? Metadata(KeyValuePair<string, string>[]? metadata)
    {
        if (metadata is not { Length: > 0 })
        {
            return null;
        }

        // Insertion order is serialisation order: keys were sorted when stored, as Go prints maps.
        var map = new Dictionary<string, string>(metadata.Length, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            map[key] = value;
        }

        return map;
    }

    public static PinInfoShort Entry(LabPeer peer, in PeerPinStatus status) => new()
    {
        Peername = peer.Name,
        IpfsPeerId = peer.IpfsId,
        Status = status.Status,
        Timestamp = Time(status.TimestampTicks),
        Error = status.Error,
        AttemptCount = status.AttemptCount,
        PriorityPin = status.PriorityPin,
    };

    /// <summary>The GlobalPinInfo header fields of a pinned CID (from the state).</summary>
    public static GlobalPinInfo Global(string cid, in StoredPin pin, Dictionary<string, PinInfoShort> peerMap) => new()
    {
        Cid = cid,
        Name = pin.Name,
        Allocations = pin.Allocations.Ids,
        Origins = pin.Extras?.Origins ?? [],
        Created = Time(PeerStatusMachine.WholeSeconds(pin.TimestampTicks)),
        Metadata = pin.Extras?.MetadataMap,
        PeerMap = peerMap,
    };
}
