using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>The control surface's view of held blocks (<c>/_lab/blocks</c>, <c>/_lab/dag</c>).</summary>
internal static class LabBlocksReport
{
    public static async Task WriteAllAsync(LabCluster cluster, HttpContext context)
    {
        var peerFilter = PinOptionsQuery.Get(context.Request.Query, "peer");
        var mask = ulong.MaxValue;
        if (peerFilter.Length > 0)
        {
            var peer = int.TryParse(peerFilter, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < cluster.Peers.Count
                ? cluster.Peers[index]
                : cluster.Peers.FirstOrDefault(p => p.Id == peerFilter);
            if (peer is null)
            {
                await LabHttp.WriteErrorAsync(context, 404, $"lab: no peer {peerFilter}");
                return;
            }

            mask = 1UL << peer.Index;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/x-ndjson";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        var written = 0;
        foreach (var (cid, block) in cluster.Blocks.Enumerate())
        {
            if ((block.Peers & mask) == 0)
            {
                continue;
            }

            JsonSerializer.Serialize(writer, Report(cluster, cid, block, withLinks: false), LabJsonContext.Default.LabBlockReport);
            writer.Flush();
            writer.Reset();
            response.BodyWriter.Write("\n"u8);
            if (++written % 256 == 0)
            {
                await response.BodyWriter.FlushAsync(context.RequestAborted);
            }
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteOneAsync(LabCluster cluster, HttpContext context, string text)
    {
        if (!Cid.TryParse(text, out var cid, out var error))
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: " + error);
            return;
        }

        if (!cluster.Blocks.TryGet(cid, out var block))
        {
            await LabHttp.WriteErrorAsync(context, 404, $"lab: no peer holds block {cid}");
            return;
        }

        await LabHttp.WriteJsonAsync(context, 200, Report(cluster, cid, block, withLinks: true), LabJsonContext.Default.LabBlockReport);
    }

    public static async Task WriteDagAsync(LabCluster cluster, HttpContext context, string text)
    {
        if (!Cid.TryParse(text, out var cid, out var error))
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: " + error);
            return;
        }

        var (present, missing) = cluster.Blocks.Walk(cid, limit: 100);
        var report = new LabDagReport(cid.ToString(), missing.Count == 0, present.Count, [.. missing.Select(c => c.ToString())]);
        await LabHttp.WriteJsonAsync(context, 200, report, LabJsonContext.Default.LabDagReport);
    }

    private static LabBlockReport Report(LabCluster cluster, Cid cid, LabBlock block, bool withLinks)
    {
        var peers = block.Peers;
        return new LabBlockReport(
            cid.ToString(),
            block.Size,
            [.. cluster.Peers.Where(p => ((peers >> p.Index) & 1) != 0).Select(p => p.Id)],
            withLinks ? [.. block.Links.Select(l => l.Cid.ToString())] : null);
    }
}
