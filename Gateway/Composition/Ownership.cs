using System.Globalization;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Go;

namespace CompositeGateway.Composition;

/// <summary>
/// The identity under which this gateway owns undercluster pins: its libp2p peer ID (the one its
/// <c>/api/v0/id</c> answers). Replicas sharing the identity share the ownership.
/// </summary>
internal sealed record GatewayOwner(string PeerId);

/// <summary>
/// How ownership is written into an undercluster pin's metadata, and how an existing pin is re-posted
/// without losing anything. The undercluster has one pinset entry per CID shared by every party, and a
/// re-pin replaces name, metadata, replication, expiry and origins wholesale (docs/protocol/cluster-rest.md §5.7,
/// §7), so every write the gateway makes is "the pin as read, plus or minus our owner key".
/// Keys (with the default prefix):
/// <list type="bullet">
/// <item><c>composite-gateway/owner/&lt;peer id&gt;</c> → RFC 3339 time the owner joined;</item>
/// <item><c>composite-gateway/created</c> → <c>true</c> when a gateway created the pin (it did not exist
/// before). Only such pins are ever deleted, and only once no owner key remains.</item>
/// <item><c>composite-gateway/shape</c> → <c>&lt;mode&gt;/&lt;replication min&gt;/&lt;replication max&gt;</c> (for
/// example <c>recursive/2/3</c>) as the pin was stored by the last gateway write, while any gateway owns it. The
/// status answer (<c>GET /pins/{cid}</c>) carries metadata and allocations but neither mode nor replication
/// (docs/protocol/cluster-rest.md §2.2), so this key lets <c>pin/ls?arg=</c> judge a pin from that one answer.</item>
/// </list>
/// </summary>
/// <remarks>
/// Why concurrent gateways keep each other's ownership (full text: docs/design/ownership.md).
/// Guaranteed: one process never races itself (per-CID lock); every write merges the latest read; without a
/// wait to follow (<c>pin_wait: accepted</c>) it is read back and a missing key merged again (up to 3 writes); a pin being waited on is checked at
/// every poll and re-merged or re-created if our key or the pin vanished, and success is never reported
/// meanwhile; the last owner deletes only after a settle delay and a fresh read showing no other owner.
/// Residual window: a joiner whose write and first status check (or read-back) both fall between our final re-read and our
/// DELETE, and whose wait ends before its next poll, loses the pin (milliseconds wide); a joiner that
/// merged from a snapshot still holding our key and writes after our DELETE re-creates the pin with our
/// stale key (kept too long, never lost). Healing: the overcluster re-checks every allocated pin with
/// <c>pin/ls?arg=</c> every 12 min (<c>pin_recover_interval</c>); a lost ownership reads "not pinned"
/// there, so the peer re-pins and the gateway joins or re-creates within one recover interval.
/// </remarks>
internal sealed class Ownership
{
    private readonly string _ownerPrefix;

    public Ownership(string metadataPrefix, string ownerId)
    {
        _ownerPrefix = metadataPrefix + "owner/";
        OwnerKey = _ownerPrefix + ownerId;
        CreatedKey = metadataPrefix + "created";
        ShapeKey = metadataPrefix + "shape";
        OwnerId = ownerId;
    }

    public string OwnerId { get; }

    public string OwnerKey { get; }

    public string CreatedKey { get; }

    public string ShapeKey { get; }

    public bool IsOwner(IReadOnlyDictionary<string, string>? metadata) => metadata is not null && metadata.ContainsKey(OwnerKey);

    /// <summary>Owner IDs other than this gateway.</summary>
    public IReadOnlyList<string> OtherOwners(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? [] : [.. metadata.Keys.Where(k => k.StartsWith(_ownerPrefix, StringComparison.Ordinal) && k != OwnerKey).Select(k => k[_ownerPrefix.Length..])];

    public bool IsGatewayMetadata(string key) => key.StartsWith(_ownerPrefix, StringComparison.Ordinal) || key == CreatedKey || key == ShapeKey;

    /// <summary>
    /// <paramref name="request"/>'s metadata with the shape key set to what the undercluster will store: mode and
    /// replication as sent, the undercluster's default where the request leaves it (<paramref name="clusterDefault"/>,
    /// when known). Without a gateway owner, or when the stored replication cannot be told, the key is removed
    /// (queries then read the stored pin instead).
    /// </summary>
    public IReadOnlyDictionary<string, string> WithShape(PinRequest request, (int Min, int Max)? clusterDefault)
    {
        var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal);
        int? min = request.ReplicationMin is { } m && m != 0 ? m : clusterDefault?.Min;
        int? max = request.ReplicationMax is { } x && x != 0 ? x : clusterDefault?.Max;
        var owned = metadata.Keys.Any(k => k.StartsWith(_ownerPrefix, StringComparison.Ordinal));
        if (owned && min is not null && max is not null)
        {
            metadata[ShapeKey] = Shape(request.Mode, min.Value, max.Value);
        }
        else
        {
            metadata.Remove(ShapeKey);
        }

        return metadata;
    }

    /// <summary>
    /// True when the stored pin's shape key is missing (a pin created with the undercluster's default replication
    /// before the gateway knew it, or written before the key existed) or no longer describes it (changed by a writer
    /// that kept our keys): the next write re-posts the pin as stored, which stamps the key exactly.
    /// </summary>
    public bool ShapeOutdated(ClusterPin stored) =>
        stored.Metadata is null || !stored.Metadata.TryGetValue(ShapeKey, out var shape)
        || shape != Shape(PinRewrite.ModeOf(stored), stored.ReplicationFactorMin, stored.ReplicationFactorMax);

    /// <summary>
    /// The stored pin as far as the "pinned" rule and the mode need it, rebuilt from a status answer: allocations from
    /// the status, mode and replication from the shape key. Null when the key is missing or unreadable.
    /// </summary>
    public ClusterPin? PinFromStatus(GlobalPinInfo status)
    {
        if (status.Metadata is null || !status.Metadata.TryGetValue(ShapeKey, out var shape))
        {
            return null;
        }

        var parts = shape.Split('/');
        if (parts.Length != 3
            || parts[0] is not ("recursive" or "direct")
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var max))
        {
            return null;
        }

        return new ClusterPin
        {
            Cid = status.Cid,
            Name = status.Name,
            ReplicationFactorMin = min,
            ReplicationFactorMax = max,
            MaxDepth = parts[0] == "direct" ? 0 : -1,
            Allocations = status.Allocations,
            Metadata = status.Metadata,
        };
    }

    private static string Shape(PinMode mode, int min, int max) =>
        string.Create(CultureInfo.InvariantCulture, $"{(mode == PinMode.Direct ? "direct" : "recursive")}/{min}/{max}");

    public bool CreatedByGateway(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(CreatedKey, out var value) && value == "true";

    /// <summary>The metadata with this gateway's owner key added (an existing key keeps its time: joining twice is idempotent).</summary>
    public Dictionary<string, string> WithOwner(IReadOnlyDictionary<string, string>? metadata, DateTimeOffset now, bool markCreated)
    {
        var merged = Copy(metadata);
        merged.TryAdd(OwnerKey, Stamp(now));
        if (markCreated)
        {
            merged[CreatedKey] = "true";
        }

        return merged;
    }

    public Dictionary<string, string> WithoutOwner(IReadOnlyDictionary<string, string>? metadata)
    {
        var copy = Copy(metadata);
        copy.Remove(OwnerKey);
        return copy;
    }

    /// <summary>
    /// Metadata for a pin made by <c>pin-update</c>: the cluster copied <c>from</c>'s metadata, owners included
    /// (docs/protocol/cluster-rest.md §7), but only this gateway asked for <c>to</c>. Keeps other parties' keys, drops other gateways'.
    /// </summary>
    public Dictionary<string, string> ForUpdatedPin(IReadOnlyDictionary<string, string>? copied, DateTimeOffset now)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in copied ?? new Dictionary<string, string>())
        {
            if (!IsGatewayMetadata(key))
            {
                own[key] = value;
            }
        }

        own[OwnerKey] = Stamp(now);
        own[CreatedKey] = "true";
        return own;
    }

    public static bool SameMetadata(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string> b) =>
        (a?.Count ?? 0) == b.Count && b.All(kv => a!.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Whole seconds: what the undercluster keeps of times anyway (docs/protocol/cluster-rest.md §2), and short in a URL.</summary>
    private static string Stamp(DateTimeOffset now) => GoTime.Format(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero));

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? new(StringComparer.Ordinal) : new(metadata, StringComparer.Ordinal);
}

/// <summary>Builds the request that re-posts a pin exactly as stored, with new metadata.</summary>
internal static class PinRewrite
{
    /// <summary>The Kubo mode of a stored pin: <c>max_depth</c> 0 is direct, anything else recursive (docs/protocol/cluster-rest.md §2.1, §3.3).</summary>
    public static PinMode ModeOf(ClusterPin pin) => pin.MaxDepth == 0 ? PinMode.Direct : PinMode.Recursive;

    /// <summary>
    /// Everything docs/protocol/cluster-rest.md §5.7 says a re-pin replaces, copied from the stored pin: name, replication factors, expiry,
    /// origins, shard size, mode (upgraded to recursive when <paramref name="mode"/> asks for it: direct →
    /// recursive is allowed, the reverse is refused). <c>user_allocations</c> is not persisted (§2.1) and the
    /// cluster keeps current allocations when a re-pin's replication is unchanged (§5.7). An expiry already
    /// past is dropped: the client refuses to send it, and the pin would be swept at the next state sync.
    /// </summary>
    public static PinRequest Repost(ClusterPin stored, IReadOnlyDictionary<string, string> metadata, PinMode? mode, DateTimeOffset now)
    {
        var storedMode = ModeOf(stored);
        var finalMode = storedMode == PinMode.Direct && mode == PinMode.Recursive ? PinMode.Recursive : storedMode;
        return new PinRequest
        {
            Name = stored.Name,
            Mode = finalMode,
            ReplicationMin = stored.ReplicationFactorMin,
            ReplicationMax = stored.ReplicationFactorMax,
            ShardSize = stored.ShardSize > 0 ? stored.ShardSize : null,
            ExpireAt = stored.ExpireAt != GoTime.Zero && stored.ExpireAt > now ? stored.ExpireAt : null,
            Metadata = metadata,
            Origins = stored.Origins ?? [],
        };
    }

    /// <summary>Whether a stored pin already gives what a Kubo pin of <paramref name="wanted"/> asks (recursive covers direct).</summary>
    public static bool Covers(ClusterPin stored, PinMode wanted) => wanted == PinMode.Direct || ModeOf(stored) == PinMode.Recursive;
}
