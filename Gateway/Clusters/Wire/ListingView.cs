using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// The full listing's view of <see cref="ClusterPin"/> (from <c>GET /allocations</c>) and <see cref="GlobalPinInfo"/>
/// (from <c>GET /pins?cids=</c>): read by <see cref="ListedPinReader"/> and <see cref="TrimmedStatusReader"/>, which
/// take only the members that ownership, the "pinned" rule (with its messages) and the Kubo answer read and skip the
/// others without decoding them: no strings for peer IDs and metadata the listing never looks at, no time parsed,
/// no generic object and dictionary machinery. A listing decodes every pin twice, and the generated decoders of the
/// full models were most of the gateway's CPU per listed pin. Items read this way leave the other members at their
/// defaults: for the listing only.
/// </summary>
internal static class ListingView
{
    private static readonly JsonSerializerOptions Options = new(ClusterJsonContext.Default.Options)
    {
        Converters = { new ListedPinReader(), new TrimmedStatusReader(pinMembers: false) },
    };

    public static JsonTypeInfo<ClusterPin> Pin { get; } = (JsonTypeInfo<ClusterPin>)Options.GetTypeInfo(typeof(ClusterPin));

    public static JsonTypeInfo<GlobalPinInfo> Status { get; } = (JsonTypeInfo<GlobalPinInfo>)Options.GetTypeInfo(typeof(GlobalPinInfo));
}
