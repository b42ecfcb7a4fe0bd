using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Ipld;
using SimpleBase;

namespace CompositeGateway.Lab.Ipfs;

/// <summary>An answer the facet gives as Kubo's error JSON.</summary>
internal sealed class LabIpfsException(int status, string message, int code = 0) : Exception(message)
{
    public int Status { get; } = status;

    public int Code { get; } = code;
}

/// <summary>
/// The read commands of Kubo's RPC API (<c>POST /api/v0/…</c>) over the blocks the cluster holds:
/// <c>cat</c>, <c>get</c>, <c>block/get</c>, <c>block/stat</c>, <c>dag/get</c>, <c>refs</c>, <c>ls</c>, <c>id</c>,
/// <c>version</c>. A block no peer holds is answered at once like Kubo in offline mode (a real
/// daemon would search the network): 500, Code 0, <c>block was not found locally (offline): …</c>.
/// File bytes stream from the stored blocks; nothing is assembled.
/// </summary>
internal sealed class LabIpfsApi(LabCluster cluster) : IBlockSource
{
    public const string KuboVersion = "0.32.1";
    private const string Prefix = "/api/v0/";

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            await WriteTextAsync(context, 404, "404 page not found\n");
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            // Kubo's RPC API answers only POST (CSRF protection since go-ipfs 0.5).
            await WriteTextAsync(context, 405, $"405 - Method Not Allowed\n");
            return;
        }

        try
        {
            await DispatchAsync(context, path[Prefix.Length..].TrimEnd('/'));
        }
        catch (LabIpfsException e)
        {
            await WriteErrorAsync(context, e.Status, e.Message, e.Code);
        }
        catch (MissingBlockException e)
        {
            await WriteErrorAsync(context, 500, NotFound(e.Cid), 0);
        }
        catch (IpldFormatException e)
        {
            await WriteErrorAsync(context, 500, e.Message, 0);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    bool IBlockSource.TryGet(Cid cid, out ReadOnlyMemory<byte> block)
    {
        if (cluster.Blocks.TryGet(cid, out var held) && held.Bytes is { } bytes)
        {
            block = bytes;
            return true;
        }

        block = default;
        return false;
    }

    /// <summary>Kubo's offline-mode answer for a block it does not have.</summary>
    public static string NotFound(Cid cid) => $"block was not found locally (offline): ipld: could not find {cid}";

    private Task DispatchAsync(HttpContext context, string command) => command switch
    {
        "version" => WriteJsonAsync(context, new KuboVersion(KuboVersion, "lab", "16", "amd64/linux", "go1.23.4"), KuboJsonContext.Kubo.KuboVersion),
        "id" => WriteJsonAsync(context, Id(), KuboJsonContext.Kubo.KuboId),
        "cat" => CatAsync(context),
        "block/get" => BlockGetAsync(context),
        "block/stat" => BlockStatAsync(context),
        "dag/get" => DagGetAsync(context),
        "refs" => RefsAsync(context),
        "ls" => LsAsync(context),
        "get" => GetAsync(context),
        _ => WriteTextAsync(context, 404, "404 page not found\n"),
    };

    private KuboId Id()
    {
        var peer = cluster.Contacted;
        // The peer ID is an identity multihash of the protobuf public key: the key is its digest.
        var id = Base58.Bitcoin.Decode(peer.IpfsId);
        return new KuboId(peer.IpfsId, Convert.ToBase64String(id[2..]), peer.IpfsAddresses, $"kubo/{KuboVersion}/lab", ["/ipfs/bitswap/1.2.0", "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"]);
    }

    private async Task CatAsync(HttpContext context)
    {
        var root = Resolve(Argument(context, "ipfs-path"));
        var offset = Integer(context, "offset");
        var length = Integer(context, "length");
        if (offset < 0)
        {
            throw new LabIpfsException(500, "cannot specify negative offset");
        }

        if (length < 0)
        {
            throw new LabIpfsException(500, "cannot specify negative length");
        }

        RequireComplete(root);
        var info = UnixFsReader.Describe(this, root);
        if (info.Type is UnixFsType.Directory or UnixFsType.HamtShard)
        {
            throw new LabIpfsException(500, "this dag node is a directory");
        }

        if ((ulong)offset > info.Size)
        {
            throw new LabIpfsException(500, $"offset was past the end of file ({offset} > {info.Size})");
        }

        var available = info.Size - (ulong)offset;
        var count = context.Request.Query.ContainsKey("length") ? Math.Min(available, (ulong)length) : available;
        var response = context.Response;
        StreamHeaders(response, "text/plain");
        response.Headers["X-Content-Length"] = count.ToString(CultureInfo.InvariantCulture);
        await response.StartAsync(context.RequestAborted);
        foreach (var slice in UnixFsReader.ReadFile(this, root, (ulong)offset, count))
        {
            await response.Body.WriteAsync(slice, context.RequestAborted);
        }
    }

    /// <summary>
    /// Kubo's <c>get</c> (<c>core/commands/get.go</c>): the node as a tar stream named by the path's last segment,
    /// gzipped when <c>compress</c> is set (<c>compression-level</c> 1–9, else zlib's default); with <c>compress</c> and
    /// without <c>archive</c> a file's bytes are gzipped alone, and a directory is refused ("file is not regular").
    /// <c>X-Content-Length</c> is the node's size as Kubo reports it: a file's length, a directory's cumulative DAG size.
    /// </summary>
    private async Task GetAsync(HttpContext context)
    {
        var argument = Argument(context, "ipfs-path");
        var level = CompressionLevel(context);
        var archive = Flag(context, "archive");
        var root = Resolve(argument);
        RequireComplete(root);
        var info = UnixFsReader.Describe(this, root);
        if (!archive && level is not null && info.Type != UnixFsType.File)
        {
            throw new LabIpfsException(500, "file is not regular");
        }

        var name = argument.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        var response = context.Response;
        StreamHeaders(response, "text/plain");
        response.Headers["X-Content-Length"] = (info.Type == UnixFsType.File ? info.Size : CumulativeSize(root)).ToString(CultureInfo.InvariantCulture);
        await response.StartAsync(context.RequestAborted);
        var cancellationToken = context.RequestAborted;
        await using var gzip = level is { } zlibLevel
            ? new GZipStream(response.Body, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true)
            : null;
        var output = (Stream?)gzip ?? response.Body;
        if (!archive && gzip is not null)
        {
            foreach (var slice in UnixFsReader.ReadFile(this, root))
            {
                await output.WriteAsync(slice, cancellationToken);
            }

            return;
        }

        var tar = new LabTarWriter(output, cluster.Time.GetUtcNow());
        await WriteTarEntryAsync(tar, root, name, cancellationToken);
        await tar.CloseAsync(cancellationToken);
    }

    /// <summary>boxo's TarWriter walk: a directory's header, then its entries in link order under <c>name/</c>.</summary>
    private async Task WriteTarEntryAsync(LabTarWriter tar, Cid cid, string name, CancellationToken cancellationToken)
    {
        var info = UnixFsReader.Describe(this, cid);
        switch (info.Type)
        {
            case UnixFsType.File:
                await tar.WriteFileAsync(name, (long)info.Size, UnixFsReader.ReadFile(this, cid), cancellationToken);
                break;
            case UnixFsType.Directory:
                await tar.WriteDirectoryAsync(name, cancellationToken);
                foreach (var link in DagPb.Decode(Bytes(cid).Span).Links)
                {
                    await WriteTarEntryAsync(tar, link.Hash, name + "/" + link.Name, cancellationToken);
                }

                break;
            case UnixFsType.Symlink:
                var target = UnixFsData.Decode(DagPb.Decode(Bytes(cid).Span).Data!.Value.Span).Data;
                await tar.WriteSymlinkAsync(name, target is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : "", cancellationToken);
                break;
            default:
                throw new LabIpfsException(500, $"lab: get of a {info.Type} node is not emulated");
        }
    }

    /// <summary>A dag-pb node's cumulative size: its own bytes plus its links' Tsize (what go-merkledag's <c>Size()</c> returns).</summary>
    private ulong CumulativeSize(Cid cid)
    {
        var bytes = Bytes(cid);
        return (ulong)bytes.Length + DagPb.Decode(bytes.Span).Links.Aggregate(0UL, (sum, link) => sum + (link.Tsize ?? 0));
    }

    /// <summary>Kubo's <c>getCompressOptions</c>: no compression without <c>compress</c>; with it, a given level must be 1–9.</summary>
    private static int? CompressionLevel(HttpContext context)
    {
        if (!Flag(context, "compress"))
        {
            return null;
        }

        if (!context.Request.Query.ContainsKey("compression-level"))
        {
            return -1;
        }

        var level = Integer(context, "compression-level");
        return level is >= 1 and <= 9 ? (int)level : throw new LabIpfsException(500, "compression level must be between 1 and 9");
    }

    private async Task BlockGetAsync(HttpContext context)
    {
        var cid = Resolve(Argument(context, "cid"));
        var bytes = Bytes(cid);
        StreamHeaders(context.Response, "text/plain");
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private Task BlockStatAsync(HttpContext context)
    {
        var cid = Resolve(Argument(context, "cid"));
        if (!cluster.Blocks.TryGet(cid, out var block))
        {
            throw new MissingBlockException(cid);
        }

        return WriteJsonAsync(context, new KuboBlockStat(cid.ToString(), block.Size), KuboJsonContext.Kubo.KuboBlockStat);
    }

    private async Task DagGetAsync(HttpContext context)
    {
        var cid = Resolve(Argument(context, "ref"));
        var outputCodec = Query(context, "output-codec");
        if (outputCodec is not ("" or "dag-json"))
        {
            throw new LabIpfsException(500, $"lab: output-codec {outputCodec} is not emulated (only dag-json)");
        }

        var bytes = Bytes(cid).Span;
        var buffer = new ArrayBufferWriter<byte>(bytes.Length * 2 + 64);
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            switch (cid.Codec)
            {
                case Multicodec.DagPb:
                    WriteDagPb(writer, DagPb.Decode(bytes));
                    break;
                case Multicodec.Raw:
                    DagCbor.WriteDagJsonBytes(writer, bytes);
                    break;
                case Multicodec.DagCbor:
                    DagCbor.WriteDagJson(bytes, writer);
                    break;
                case Multicodec.DagJson:
                    writer.WriteRawValue(bytes);
                    break;
                default:
                    throw new LabIpfsException(500, $"lab: codec {Multicodec.NameOf(cid.Codec)} is not emulated for dag get");
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>go-codec-dagpb's data model printed as dag-json: Data (if any), then Links; each link Hash, Name, Tsize when present.</summary>
    private static void WriteDagPb(Utf8JsonWriter writer, PbNode node)
    {
        writer.WriteStartObject();
        if (node.Data is { } data)
        {
            writer.WritePropertyName("Data");
            DagCbor.WriteDagJsonBytes(writer, data.Span);
        }

        writer.WriteStartArray("Links");
        foreach (var link in node.Links)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Hash");
            DagCbor.WriteDagJsonLink(writer, link.Hash);
            if (link.Name is not null)
            {
                writer.WriteString("Name", link.Name);
            }

            if (link.Tsize is { } tsize)
            {
                writer.WriteNumber("Tsize", tsize);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private async Task RefsAsync(HttpContext context)
    {
        var roots = Arguments(context, "ipfs-path").Select(Resolve).ToList();
        var recursive = Flag(context, "recursive");
        var unique = Flag(context, "unique");
        foreach (var root in roots)
        {
            if (recursive)
            {
                RequireComplete(root);
            }
            else if (!cluster.Blocks.Contains(root))
            {
                throw new MissingBlockException(root);
            }
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["X-Chunked-Output"] = "1";
        var seen = new HashSet<Cid>();
        var written = 0;
        foreach (var root in roots)
        {
            foreach (var cid in Refs(root, recursive, unique ? seen : null))
            {
                await WriteLineAsync(response, new KuboRef(cid.ToString(), ""), KuboJsonContext.Kubo.KuboRef, context.RequestAborted);
                if (++written % 256 == 0)
                {
                    await response.Body.FlushAsync(context.RequestAborted);
                }
            }
        }
    }

    /// <summary>Kubo's refs walk: each link as met, depth first; <paramref name="seen"/> non-null = unique.</summary>
    private IEnumerable<Cid> Refs(Cid root, bool recursive, HashSet<Cid>? seen)
    {
        var pending = new Stack<(Cid Cid, int Depth)>();
        pending.Push((root, 0));
        while (pending.TryPop(out var item))
        {
            if (!cluster.Blocks.TryGet(item.Cid, out var block))
            {
                continue;
            }

            var children = new List<Cid>();
            foreach (var link in block.Links)
            {
                if (seen is not null && !seen.Add(link.Cid))
                {
                    continue;
                }

                children.Add(link.Cid);
            }

            foreach (var child in children)
            {
                yield return child;
                if (recursive)
                {
                    // Emitted in order; children explored after their siblings were listed, as go-merkledag's walker does per node.
                    pending.Push((child, item.Depth + 1));
                }
            }
        }
    }

    private async Task LsAsync(HttpContext context)
    {
        var arguments = Arguments(context, "ipfs-path");
        var stream = Flag(context, "stream");
        var objects = new List<KuboLsObject>();
        foreach (var argument in arguments)
        {
            var cid = Resolve(argument);
            var links = new List<KuboLsLink>();
            if (cid.Codec == Multicodec.DagPb)
            {
                var info = UnixFsReader.Describe(this, cid);
                if (info.Type == UnixFsType.HamtShard)
                {
                    throw new LabIpfsException(500, "lab: HAMT-sharded directories are not emulated");
                }

                if (info.Type == UnixFsType.Directory)
                {
                    foreach (var link in DagPb.Decode(Bytes(cid).Span).Links)
                    {
                        var child = UnixFsReader.Describe(this, link.Hash);
                        var size = child.Type == UnixFsType.File ? child.Size : 0;
                        links.Add(new KuboLsLink(link.Name ?? "", link.Hash.ToString(), size, (int)child.Type, ""));
                    }
                }
            }
            else if (!cluster.Blocks.Contains(cid))
            {
                throw new MissingBlockException(cid);
            }

            objects.Add(new KuboLsObject(argument, links));
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        if (!stream)
        {
            await WriteLineAsync(response, new KuboLsOutput(objects), KuboJsonContext.Kubo.KuboLsOutput, context.RequestAborted);
            return;
        }

        response.Headers["X-Chunked-Output"] = "1";
        foreach (var item in objects)
        {
            if (item.Links.Count == 0)
            {
                await WriteLineAsync(response, new KuboLsOutput([item]), KuboJsonContext.Kubo.KuboLsOutput, context.RequestAborted);
                continue;
            }

            foreach (var link in item.Links)
            {
                await WriteLineAsync(response, new KuboLsOutput([item with { Links = [link] }]), KuboJsonContext.Kubo.KuboLsOutput, context.RequestAborted);
            }
        }
    }

    /// <summary>The CID a Kubo path argument names: <c>/ipfs/cid/a/b</c>, <c>cid/a/b</c> or a bare CID, walking named dag-pb links.</summary>
    private Cid Resolve(string argument)
    {
        if (argument.StartsWith("/ipns/", StringComparison.Ordinal))
        {
            throw new LabIpfsException(500, $"could not resolve name: {argument}: the emulated daemon has no IPNS records");
        }

        var text = argument.StartsWith("/ipfs/", StringComparison.Ordinal) ? argument["/ipfs/".Length..] : argument;
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw new LabIpfsException(500, $"invalid path \"{argument}\": path does not have enough components");
        }

        if (!Cid.TryParse(segments[0], out var current, out var error))
        {
            throw new LabIpfsException(500, $"invalid path \"{argument}\": {error}");
        }

        foreach (var name in segments.Skip(1))
        {
            if (!cluster.Blocks.TryGet(current, out var block))
            {
                throw new MissingBlockException(current);
            }

            var link = Array.Find(block.Links, l => l.Name == name);
            current = link.Cid ?? throw new LabIpfsException(500, $"no link named \"{name}\" under {current}");
        }

        return current;
    }

    private ReadOnlyMemory<byte> Bytes(Cid cid)
    {
        if (cid.Multihash.Code == Multicodec.Identity)
        {
            return cid.Multihash.Digest;
        }

        if (!cluster.Blocks.TryGet(cid, out var block))
        {
            throw new MissingBlockException(cid);
        }

        return block.Bytes ?? throw new LabIpfsException(500, "lab: block bytes are not kept (emulate --keep-block-bytes=false)");
    }

    private void RequireComplete(Cid root)
    {
        if (cluster.Blocks.Walk(root, limit: 1).Missing is [var missing])
        {
            throw new MissingBlockException(missing);
        }

        if (!cluster.Blocks.KeepBytes)
        {
            throw new LabIpfsException(500, "lab: block bytes are not kept (emulate --keep-block-bytes=false)");
        }
    }

    private static string Argument(HttpContext context, string name) =>
        Arguments(context, name)[0];

    private static List<string> Arguments(HttpContext context, string name)
    {
        var values = context.Request.Query["arg"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
        return values.Count > 0 ? values : throw new LabIpfsException(400, $"argument \"{name}\" is required", code: 1);
    }

    private static string Query(HttpContext context, string name) => context.Request.Query[name].FirstOrDefault() ?? "";

    private static bool Flag(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (text.Length == 0)
        {
            return context.Request.Query.ContainsKey(name);
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new LabIpfsException(400, $"invalid value \"{text}\" for option \"{name}\": strconv.ParseBool: parsing \"{text}\": invalid syntax", code: 1);
    }

    private static long Integer(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (text.Length == 0)
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new LabIpfsException(400, $"invalid value \"{text}\" for option \"{name}\": strconv.ParseInt: parsing \"{text}\": invalid syntax", code: 1);
    }

    private static void StreamHeaders(HttpResponse response, string contentType)
    {
        response.StatusCode = 200;
        response.ContentType = contentType;
        response.Headers["X-Stream-Output"] = "1";
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await WriteLineAsync(context.Response, value, type, context.RequestAborted);
    }

    private static async Task WriteLineAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(response.Body, value, type, cancellationToken);
        await response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message, int code)
    {
        if (context.Response.HasStarted)
        {
            // Too late for a status: cut the stream so the client sees it is incomplete.
            context.Abort();
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await WriteLineAsync(context.Response, new KuboError(message, code), KuboJsonContext.Kubo.KuboError, context.RequestAborted);
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
