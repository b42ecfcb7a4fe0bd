using System.Text.Json;

namespace CompositeGateway.Ipld;

/// <summary>A link out of a block: the target and, for dag-pb, the link's name.</summary>
internal readonly record struct IpldLink(Cid Cid, string? Name, ulong? Tsize = null);

/// <summary>
/// The links of a block by its CID's codec, as a DAG walk (pinning, <c>refs</c>, GC) follows them:
/// dag-pb <c>Links</c>, dag-cbor tag 42, dag-json <c>{"/":"cid"}</c>; raw and unknown codecs have none.
/// </summary>
internal static class IpldLinks
{
    /// <summary>Throws <see cref="IpldFormatException"/> when the block does not decode with its codec.</summary>
    public static IpldLink[] Of(Cid cid, ReadOnlySpan<byte> block)
    {
        ArgumentNullException.ThrowIfNull(cid);
        switch (cid.Codec)
        {
            case Multicodec.DagPb:
                var node = DagPb.Decode(block);
                return node.Links.Count == 0 ? [] : [.. node.Links.Select(l => new IpldLink(l.Hash, l.Name, l.Tsize))];
            case Multicodec.DagCbor:
                return [.. DagCbor.Links(block).Select(c => new IpldLink(c, null))];
            case Multicodec.DagJson:
                return DagJsonLinks(block);
            default:
                return [];
        }
    }

    private static IpldLink[] DagJsonLinks(ReadOnlySpan<byte> block)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(block.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new IpldFormatException("dag-json: " + e.Message, e);
        }

        using (document)
        {
            var links = new List<IpldLink>();
            try
            {
                Collect(document.RootElement, links);
            }
            catch (InvalidOperationException e)
            {
                // A string's UTF-8 is checked only when its text is read, and a failure says so with this type.
                throw new IpldFormatException("dag-json: " + e.Message, e);
            }

            return [.. links];
        }
    }

    private static void Collect(JsonElement element, List<IpldLink> links)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.EnumerateObject().Count() == 1
                    && element.TryGetProperty("/", out var slash) && slash.ValueKind == JsonValueKind.String)
                {
                    links.Add(new IpldLink(Cid.TryParse(slash.GetString(), out var cid) ? cid : throw new IpldFormatException("dag-json: bad link " + slash.GetString()), null));
                    return;
                }

                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, links);
                }

                return;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, links);
                }

                return;
        }
    }
}
