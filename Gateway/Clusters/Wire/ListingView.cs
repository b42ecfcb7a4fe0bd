using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// The full listing's view of <see cref="ClusterPin"/> (from <c>GET /allocations</c>) and <see cref="GlobalPinInfo"/>
/// (from <c>GET /pins?cids=</c>): only the members that ownership, the "pinned" rule (with its messages) and the
/// Kubo answer read. The reader skips the others without decoding them: no strings for peer IDs and metadata the
/// listing never looks at, no time parsed. A listing decodes every pin twice, so these were most of the gateway's
/// CPU per listed pin. Pins keep the generated decoder with the other members removed; statuses are read by
/// <see cref="ListedStatusReader"/>. Items read through this view leave the other members at their defaults: for
/// the listing only.
/// </summary>
internal static class ListingView
{
    private static readonly Dictionary<Type, string[]> Read = new()
    {
        [typeof(ClusterPin)] = ["cid", "name", "max_depth", "replication_factor_min", "replication_factor_max", "allocations", "metadata"],
    };

    private static readonly JsonSerializerOptions Options = new(ClusterJsonContext.Default.Options)
    {
        TypeInfoResolver = ClusterJsonContext.Default.WithAddedModifier(KeepOnlyRead),
        Converters = { new ListedStatusReader() },
    };

    public static JsonTypeInfo<ClusterPin> Pin { get; } = (JsonTypeInfo<ClusterPin>)Options.GetTypeInfo(typeof(ClusterPin));

    public static JsonTypeInfo<GlobalPinInfo> Status { get; } = (JsonTypeInfo<GlobalPinInfo>)Options.GetTypeInfo(typeof(GlobalPinInfo));

    private static void KeepOnlyRead(JsonTypeInfo type)
    {
        if (!Read.TryGetValue(type.Type, out var names))
        {
            return;
        }

        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (!names.Contains(type.Properties[i].Name))
            {
                type.Properties.RemoveAt(i);
            }
        }
    }
}
