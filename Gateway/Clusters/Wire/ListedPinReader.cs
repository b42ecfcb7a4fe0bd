using System.Text.Json;
using System.Text.Json.Serialization;
using static CompositeGateway.Clusters.Wire.TrimmedReading;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// Reads one <c>GET /allocations</c> item for the full listing (<see cref="ListingView.Pin"/>): <c>cid</c>, <c>name</c>,
/// <c>max_depth</c> (the mode), the replication factors and <c>allocations</c> (the "pinned" rule) and <c>metadata</c>
/// (ownership); every other member is skipped.
/// </summary>
internal sealed class ListedPinReader : JsonConverter<ClusterPin>
{
    public override ClusterPin Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? cid = null;
        var name = "";

        // A member left out reads as Go's zero value, as the generated decoder of ClusterPin does (its init
        // properties go through the constructor): max_depth 0, replication 0, no allocations, no metadata.
        int maxDepth = 0, replicationMin = 0, replicationMax = 0;
        List<string>? allocations = null;
        Dictionary<string, string>? metadata = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("cid"u8))
            {
                reader.Read();
                cid = reader.GetString();
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.GetString() ?? "";
            }
            else if (reader.ValueTextEquals("max_depth"u8))
            {
                reader.Read();
                maxDepth = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("replication_factor_min"u8))
            {
                reader.Read();
                replicationMin = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("replication_factor_max"u8))
            {
                reader.Read();
                replicationMax = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("allocations"u8))
            {
                reader.Read();
                allocations = ReadStrings(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                metadata = ReadMap(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ClusterPin
        {
            Cid = cid,
            Name = name,
            MaxDepth = maxDepth,
            ReplicationFactorMin = replicationMin,
            ReplicationFactorMax = replicationMax,
            Allocations = allocations,
            Metadata = metadata,
        };
    }

    public override void Write(Utf8JsonWriter writer, ClusterPin value, JsonSerializerOptions options) =>
        throw new NotSupportedException("the listing view only reads");
}
