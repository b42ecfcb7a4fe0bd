namespace CompositeGateway.Lab;

/// <summary>
/// One entry of the emulated shared pinset. A struct held inline in the dictionary node, with the
/// rarely used fields moved to <see cref="PinExtras"/> and allocation lists interned, so a million
/// pins stay in a few hundred MB. Times are UTC ticks; the per-peer status is computed from them
/// on demand (<see cref="PeerStatusMachine"/>), so no timer runs per pin.
/// </summary>
internal readonly record struct StoredPin
{
    public string Name { get; init; }

    public PinExtras? Extras { get; init; }

    public AllocationSet Allocations { get; init; }

    /// <summary>Submit time, full precision (the state keeps whole seconds; read-backs truncate).</summary>
    public long TimestampTicks { get; init; }

    /// <summary>When the current pin attempt started on the allocated peers (pin or recover time).</summary>
    public long QueuedAtTicks { get; init; }

    /// <summary>0 = never.</summary>
    public long ExpireAtTicks { get; init; }

    /// <summary>Bytes counted on each peer holding the pin.</summary>
    public long Size { get; init; }

    /// <summary>Pin delay of the current attempt, in milliseconds.</summary>
    public int DelayMs { get; init; }

    public short ReplicationMin { get; init; }

    public short ReplicationMax { get; init; }

    public sbyte MaxDepth { get; init; }

    /// <summary>A <see cref="PinTypes"/> bit.</summary>
    public byte Type { get; init; }

    /// <summary>Recover rounds so far.</summary>
    public byte Attempt { get; init; }

    /// <summary>Bit i set: the current attempt fails on peer i (<c>pin_error</c>).</summary>
    public ulong FailMask { get; init; }

    /// <summary>With require-blocks: the DAG is incomplete, so peers stay <c>pinning</c> (<see cref="LabCluster.BlocksArrived"/>).</summary>
    public bool AwaitingBlocks { get; init; }

    public bool IsEverywhere => ReplicationMin == -1 && ReplicationMax == -1;

    public bool IsAllocatedTo(int peerIndex) => IsEverywhere || Allocations.Contains(peerIndex);
}

/// <summary>Pin fields most pins leave empty.</summary>
internal sealed record PinExtras
{
    /// <summary>Sorted by key (Go marshals maps sorted); null = no metadata.</summary>
    public KeyValuePair<string, string>[]? Metadata
    {
        get;
        init
        {
            field = value;
            MetadataMap = PinViews.Metadata(value);
        }
    }

    /// <summary>
    /// <see cref="Metadata"/> as the wire models hold it, built once: every <c>/allocations</c> item and every status
    /// carries it, and pins seeded together share one <see cref="PinExtras"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? MetadataMap { get; private init; }

    public string[]? Origins { get; init; }

    public ulong ShardSize { get; init; }

    public string? PinUpdate { get; init; }

    public string? Reference { get; init; }

    public bool IsEmpty => Metadata is null && Origins is null && ShardSize == 0 && PinUpdate is null && Reference is null;
}

/// <summary>An ordered allocation list, interned per cluster so pins share one instance.</summary>
internal sealed class AllocationSet
{
    public static readonly AllocationSet Empty = new([], []);

    public AllocationSet(string[] ids, int[] indexes)
    {
        Ids = ids;
        Indexes = indexes;
        foreach (var i in indexes)
        {
            Mask |= 1UL << i;
        }
    }

    /// <summary>Peer IDs in allocation order (what <c>allocations</c> shows).</summary>
    public string[] Ids { get; }

    public int[] Indexes { get; }

    public ulong Mask { get; }

    public bool Contains(int peerIndex) => ((Mask >> peerIndex) & 1) != 0;
}

/// <summary>ipfs-cluster's PinType bits and strings (docs/protocol/cluster-rest.md §3.2).</summary>
internal static class PinTypes
{
    public const byte Bad = 1;
    public const byte Data = 2;
    public const byte Meta = 4;
    public const byte ClusterDag = 8;
    public const byte Shard = 16;
    public const byte All = Data | Meta | ClusterDag | Shard;

    public static string ToWire(byte type) => type switch
    {
        Data => "pin",
        Meta => "meta-pin",
        ClusterDag => "clusterdag-pin",
        Shard => "shard-pin",
        _ => "bad-type",
    };

    /// <summary>Go's <c>PinTypeFromString</c>: empty and <c>all</c> mean all, unknown = bad.</summary>
    public static byte FromFilterWord(string word) => word switch
    {
        "pin" => Data,
        "meta-pin" => Meta,
        "clusterdag-pin" => ClusterDag,
        "shard-pin" => Shard,
        "all" or "" => All,
        _ => Bad,
    };
}
