using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// A pin query's view of <see cref="GlobalPinInfo"/> (<c>GET /pins/{cid}</c>; <c>GET /pins?cids=</c> for the pin waits'
/// status rounds and placement's batches): what ownership, the shape key and the "pinned" rule read, through <see cref="TrimmedStatusReader"/>; the
/// origins, times, IPFS peer IDs and addresses and attempt counts stay at their defaults. Answering a
/// <c>pin/ls?arg</c> reads one such document, and its generated decoder was a tenth of the gateway's CPU per call.
/// </summary>
internal static class QueryView
{
    private static readonly JsonSerializerOptions Options = new(ClusterJsonContext.Default.Options)
    {
        Converters = { new TrimmedStatusReader(pinMembers: true) },
    };

    public static JsonTypeInfo<GlobalPinInfo> Status { get; } = (JsonTypeInfo<GlobalPinInfo>)Options.GetTypeInfo(typeof(GlobalPinInfo));
}
