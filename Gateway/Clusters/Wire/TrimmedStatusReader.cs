using System.Text.Json;
using System.Text.Json.Serialization;
using static CompositeGateway.Clusters.Wire.TrimmedReading;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// Reads one status item (ipfs-cluster's GlobalPinInfo) taking only what its reader needs: the <c>cid</c> and, for each
/// peer of the <c>peer_map</c>, its <c>status</c>, <c>peername</c> and <c>error</c> (what the "pinned" rule and its
/// messages read); with <c>pinMembers</c> also <c>name</c>, <c>allocations</c> and <c>metadata</c> (ownership and the
/// shape key, which a pin query reads from the status alone). Every other member is skipped without being decoded: no
/// times parsed, no peer IDs and addresses, no boxed constructor arguments. Status strings are the
/// <see cref="TrackerStatus"/> constants, not new strings. A member left out reads as Go's zero value, as ipfs-cluster's
/// own Go client reads it: no name, no allocations, no metadata, no peers.
/// </summary>
/// <remarks>
/// The status answer is the larger of the two a listing reads per pin, and in the steady state the only document a pin
/// query reads; the generated decoder's handling of its map of peer objects was the largest part of what the gateway
/// spent on either (docs/development/performance.md).
/// </remarks>
internal sealed class TrimmedStatusReader(bool pinMembers) : JsonConverter<GlobalPinInfo>
{
    private static readonly (byte[] Utf8, string Text)[] Statuses =
    [
        .. new[]
        {
            TrackerStatus.Pinned, TrackerStatus.Remote, TrackerStatus.Pinning, TrackerStatus.PinQueued, TrackerStatus.PinError,
            TrackerStatus.ClusterError, TrackerStatus.Unpinned, TrackerStatus.Unpinning, TrackerStatus.UnpinQueued,
            TrackerStatus.UnpinError, TrackerStatus.Sharded, TrackerStatus.UnexpectedlyUnpinned, TrackerStatus.Undefined,
        }.Select(s => (System.Text.Encoding.UTF8.GetBytes(s), s)),
    ];

    public override GlobalPinInfo Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? cid = null;
        var name = "";
        List<string>? allocations = null;
        Dictionary<string, string>? metadata = null;
        var peers = new Dictionary<string, PinInfoShort>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("cid"u8))
            {
                reader.Read();
                cid = reader.GetString();
            }
            else if (pinMembers && reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.GetString() ?? "";
            }
            else if (pinMembers && reader.ValueTextEquals("allocations"u8))
            {
                reader.Read();
                allocations = ReadStrings(ref reader);
            }
            else if (pinMembers && reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                metadata = ReadMap(ref reader);
            }
            else if (reader.ValueTextEquals("peer_map"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (NextProperty(ref reader))
                    {
                        var peer = reader.GetString()!;
                        reader.Read();
                        peers[peer] = ReadPeer(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new GlobalPinInfo { Cid = cid, Name = name, Allocations = allocations, Metadata = metadata, PeerMap = peers };
    }

    public override void Write(Utf8JsonWriter writer, GlobalPinInfo value, JsonSerializerOptions options) =>
        throw new NotSupportedException("a trimmed view only reads");

    private static PinInfoShort ReadPeer(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string status = TrackerStatus.Undefined, peername = "", error = "";
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = StatusOf(ref reader);
            }
            else if (reader.ValueTextEquals("peername"u8))
            {
                reader.Read();
                peername = reader.GetString() ?? "";
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = reader.GetString() ?? "";
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new PinInfoShort { Status = status, Peername = peername, Error = error };
    }

    private static string StatusOf(ref Utf8JsonReader reader)
    {
        foreach (var (utf8, text) in Statuses)
        {
            if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(utf8))
            {
                return text;
            }
        }

        return reader.GetString() ?? TrackerStatus.Undefined;
    }
}
