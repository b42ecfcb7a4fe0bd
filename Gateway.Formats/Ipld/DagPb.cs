using System.Text;

namespace CompositeGateway.Ipld;

/// <summary>A dag-pb link (PBLink): Hash = 1, Name = 2, Tsize = 3.</summary>
/// <param name="Hash">Target block.</param>
/// <param name="Name">Entry name; null leaves the field out. UnixFS file links carry an empty name, which IS written (boxo merkledag always sets Name).</param>
/// <param name="Tsize">Cumulative size of the target subtree (its block plus everything it links to).</param>
internal sealed record PbLink(Cid Hash, string? Name, ulong? Tsize);

/// <summary>A dag-pb node (PBNode): Data = 1, Links = 2.</summary>
internal sealed record PbNode(IReadOnlyList<PbLink> Links, ReadOnlyMemory<byte>? Data);

/// <summary>
/// The dag-pb codec (docs/protocol/unixfs.md §1). Canonical form writes every Links
/// entry BEFORE Data although Data has the lower field number, and each link's fields in order
/// Hash, Name, Tsize; decoding is as strict as go-codec-dagpb, so bytes that do not re-encode
/// identically are refused.
/// </summary>
internal static class DagPb
{
    public static int GetEncodedLength(IReadOnlyList<PbLink> links, int? dataLength)
    {
        var length = 0;
        foreach (var link in links)
        {
            var linkLength = GetLinkLength(link);
            length += ProtoWriter.BytesFieldSize(2, linkLength);
        }

        if (dataLength is { } d)
        {
            length += ProtoWriter.BytesFieldSize(1, d);
        }

        return length;
    }

    /// <summary>
    /// Writes the node into <paramref name="destination"/> (sized with <see cref="GetEncodedLength"/>); returns the byte count.
    /// Links are written as given: dag-pb requires them sorted by Name bytes (boxo sorts, @ipld/dag-pb refuses unsorted), which callers ensure.
    /// </summary>
    public static int Write(Span<byte> destination, IReadOnlyList<PbLink> links, ReadOnlySpan<byte> data, bool hasData)
    {
        var writer = new ProtoWriter(destination);
        foreach (var link in links)
        {
            writer.WriteTag(2, WireType.LengthDelimited);
            writer.WriteRawVarint((ulong)GetLinkLength(link));
            writer.WriteBytesField(1, link.Hash.Bytes.Span);
            if (link.Name is not null)
            {
                writer.WriteStringField(2, link.Name);
            }

            if (link.Tsize is { } tsize)
            {
                writer.WriteVarintField(3, tsize);
            }
        }

        if (hasData)
        {
            writer.WriteBytesField(1, data);
        }

        return writer.Position;
    }

    public static byte[] Encode(PbNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var data = node.Data;
        var bytes = new byte[GetEncodedLength(node.Links, data?.Length)];
        Write(bytes, node.Links, data is { } d ? d.Span : default, data.HasValue);
        return bytes;
    }

    /// <summary>Decodes a dag-pb block; throws <see cref="IpldFormatException"/> when it is not canonical dag-pb.</summary>
    public static PbNode Decode(ReadOnlySpan<byte> block)
    {
        var reader = new ProtoReader(block, "PBNode");
        var links = new List<PbLink>();
        ReadOnlyMemory<byte>? data = null;
        while (!reader.End)
        {
            var (field, type) = reader.ReadTag();
            reader.Expect(type, WireType.LengthDelimited, field);
            switch (field)
            {
                case 1:
                    if (data is not null)
                    {
                        throw reader.Error("duplicate Data section");
                    }

                    data = reader.ReadLengthDelimited().ToArray();
                    break;
                case 2:
                    if (data is not null)
                    {
                        throw reader.Error("invalid order, found Links after Data");
                    }

                    links.Add(DecodeLink(reader.ReadLengthDelimited()));
                    break;
                default:
                    throw reader.Error("invalid fieldNumber " + field);
            }
        }

        return new PbNode(links, data);
    }

    private static PbLink DecodeLink(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "PBLink");
        Cid? hash = null;
        string? name = null;
        ulong? tsize = null;
        var last = 0;
        while (!reader.End)
        {
            var (field, type) = reader.ReadTag();
            if (field <= last)
            {
                throw reader.Error("invalid order or duplicate field " + field);
            }

            last = field;
            switch (field)
            {
                case 1:
                    reader.Expect(type, WireType.LengthDelimited, field);
                    var hashBytes = reader.ReadLengthDelimited();
                    if (!Cid.TryRead(hashBytes, out hash, out var consumed, out var error) || consumed != hashBytes.Length)
                    {
                        throw reader.Error("invalid Hash: " + (error ?? "trailing bytes"));
                    }

                    break;
                case 2:
                    reader.Expect(type, WireType.LengthDelimited, field);
                    try
                    {
                        name = StrictUtf8.GetString(reader.ReadLengthDelimited());
                    }
                    catch (DecoderFallbackException)
                    {
                        throw reader.Error("Name is not valid UTF-8");
                    }

                    break;
                case 3:
                    reader.Expect(type, WireType.Varint, field);
                    tsize = reader.ReadVarint();
                    break;
                default:
                    throw reader.Error("invalid fieldNumber " + field);
            }
        }

        return hash is null ? throw reader.Error("missing required field: Hash") : new PbLink(hash, name, tsize);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static int GetLinkLength(PbLink link)
    {
        var length = ProtoWriter.BytesFieldSize(1, link.Hash.ByteLength);
        if (link.Name is not null)
        {
            length += ProtoWriter.BytesFieldSize(2, Encoding.UTF8.GetByteCount(link.Name));
        }

        if (link.Tsize is { } tsize)
        {
            length += ProtoWriter.VarintFieldSize(3, tsize);
        }

        return length;
    }
}
