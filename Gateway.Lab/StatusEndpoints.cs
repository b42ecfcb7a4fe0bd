using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>Pin status and recovery (docs/protocol/cluster-rest.md §5.8–§5.10).</summary>
internal static class StatusEndpoints
{
    public static async Task StatusAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (cid, _) = await PinEndpoints.ParseCidOrFailAsync(cluster, context, values["hash"]);
        if (cid is not null)
        {
            await LabHttp.WriteJsonAsync(context, 200, LabStatus.ForCid(cluster, cid, IsLocal(context)), WireJsonContext.Default.GlobalPinInfo);
        }
    }

    public static async Task StatusAllAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var query = context.Request.Query;
        var local = IsLocal(context);
        var cidsText = PinOptionsQuery.Get(query, "cids");
        if (cidsText != "")
        {
            // Per-CID mode: every CID must decode; filter is ignored.
            var cids = new List<string>();
            foreach (var text in cidsText.Split(','))
            {
                if (!LabCids.TryParse(text, out var cid, out var error))
                {
                    await LabHttp.WriteErrorAsync(context, 400, "error decoding Cid: " + error);
                    return;
                }

                cids.Add(cid);
            }

            await NdjsonStream.WriteAsync(context, cluster.Faults.Current, LabStatus.ForCids(cluster, cids, local), WireJsonContext.Default.GlobalPinInfo);
            return;
        }

        var filterText = PinOptionsQuery.Get(query, "filter");
        var filter = StatusFilter.Parse(filterText);
        if (filter == 0 && filterText != "")
        {
            await LabHttp.WriteErrorAsync(context, 400, "invalid filter value");
            return;
        }

        await NdjsonStream.WriteAsync(context, cluster.Faults.Current, LabStatus.All(cluster, filter, local), WireJsonContext.Default.GlobalPinInfo);
    }

    public static async Task RecoverAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (cid, _) = await PinEndpoints.ParseCidOrFailAsync(cluster, context, values["hash"]);
        if (cid is not null)
        {
            var local = IsLocal(context);
            LabPinning.Recover(cluster, cid, local);
            await LabHttp.WriteJsonAsync(context, 200, LabStatus.ForCid(cluster, cid, local), WireJsonContext.Default.GlobalPinInfo);
        }
    }

    public static Task RecoverAllAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        NdjsonStream.WriteAsync(context, cluster.Faults.Current, LabStatus.RecoverAll(cluster, IsLocal(context)), WireJsonContext.Default.GlobalPinInfo);

    /// <summary>Only the exact string <c>true</c> selects the contacted peer's view.</summary>
    private static bool IsLocal(HttpContext context) => PinOptionsQuery.Get(context.Request.Query, "local") == "true";
}
