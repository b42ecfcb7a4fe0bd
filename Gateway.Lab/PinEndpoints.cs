using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>Pinset endpoints: pin/unpin by CID or path, allocations (docs/protocol/cluster-rest.md §5.4–§5.7, §5.11, §5.12).</summary>
internal static class PinEndpoints
{
    public static async Task PinAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (cid, request) = await ParseCidOrFailAsync(cluster, context, values["hash"]);
        if (cid is not null)
        {
            await SendAsync(context, LabPinning.Pin(cluster, cid, request, pathRoute: false));
        }
    }

    public static async Task UnpinAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (cid, _) = await ParseCidOrFailAsync(cluster, context, values["hash"]);
        if (cid is not null)
        {
            await SendAsync(context, LabPinning.Unpin(cluster, cid));
        }
    }

    public static async Task PinPathAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (path, request) = await ParsePathOrFailAsync(cluster, context, values);
        if (path is null)
        {
            return;
        }

        var (cid, error) = LabPaths.Resolve(cluster, path);
        await SendAsync(context, cid is null ? (null, new ClusterError(500, error!)) : LabPinning.Pin(cluster, cid, request, pathRoute: true));
    }

    public static async Task UnpinPathAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (path, _) = await ParsePathOrFailAsync(cluster, context, values);
        if (path is null)
        {
            return;
        }

        var (cid, error) = LabPaths.Resolve(cluster, path);
        await SendAsync(context, cid is null ? (null, new ClusterError(500, error!)) : LabPinning.Unpin(cluster, cid));
    }

    public static async Task AllocationAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (cid, _) = await ParseCidOrFailAsync(cluster, context, values["hash"]);
        if (cid is null)
        {
            return;
        }

        await SendAsync(context, cluster.Store.TryGet(cid, cluster.NowTicks, out var pin)
            ? (PinViews.ReadBack(cid, pin), null)
            : (null, new ClusterError(404, LabPinning.NotFound)));
    }

    public static async Task AllocationsAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        byte filter = 0;
        foreach (var word in PinOptionsQuery.Get(context.Request.Query, "filter").Split(','))
        {
            filter |= PinTypes.FromFilterWord(word);
        }

        if (filter == PinTypes.Bad)
        {
            await LabHttp.WriteErrorAsync(context, 400, "invalid filter value");
            return;
        }

        await NdjsonStream.WriteAsync(context, cluster.Faults.Current, Allocations(cluster, filter), WireJsonContext.Default.ClusterPin);
    }

    /// <summary>
    /// ipfs-cluster's <c>ParseCidOrFail</c>: a bad CID ends the request with 400; bad pin options
    /// write a 400 document but the handler carries on with what was parsed (docs/protocol/cluster-rest.md §1.2 caveat).
    /// </summary>
    public static async Task<(string? Cid, LabPinRequest Request)> ParseCidOrFailAsync(LabCluster cluster, HttpContext context, string hash)
    {
        if (!LabCids.TryParse(hash, out var cid, out var error))
        {
            await LabHttp.WriteErrorAsync(context, 400, "error decoding Cid: " + error);
            return (null, new LabPinRequest());
        }

        var (request, optionsError) = PinOptionsQuery.Parse(context.Request.Query, cluster.Time.GetUtcNow());
        if (optionsError is not null)
        {
            await LabHttp.WriteErrorAsync(context, 400, optionsError);
        }

        return (cid, request);
    }

    private static async Task<(string? Path, LabPinRequest Request)> ParsePathOrFailAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var (path, error) = LabPaths.Parse(values["keyType"], values["path"]);
        if (path is null)
        {
            await LabHttp.WriteErrorAsync(context, 400, "error parsing path: " + error);
            return (null, new LabPinRequest());
        }

        var (request, optionsError) = PinOptionsQuery.Parse(context.Request.Query, cluster.Time.GetUtcNow());
        if (optionsError is not null)
        {
            await LabHttp.WriteErrorAsync(context, 400, optionsError);
        }

        return (path, request);
    }

    private static IEnumerable<ClusterPin> Allocations(LabCluster cluster, byte filter)
    {
        foreach (var (cid, pin) in cluster.Store.Enumerate(cluster.NowTicks))
        {
            if (filter == PinTypes.All || (filter & pin.Type) != 0)
            {
                yield return PinViews.ReadBack(cid, pin);
            }
        }
    }

    private static Task SendAsync(HttpContext context, (ClusterPin? Pin, ClusterError? Error) outcome) =>
        outcome.Error is { } error
            ? LabHttp.WriteErrorAsync(context, error)
            : LabHttp.WriteJsonAsync(context, 200, outcome.Pin!, WireJsonContext.Default.ClusterPin);
}
