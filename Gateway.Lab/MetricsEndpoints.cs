using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>Monitor metrics and repository GC (docs/protocol/cluster-rest.md §5.14, §5.15).</summary>
internal static class MetricsEndpoints
{
    public static Task MetricNamesAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        LabHttp.WriteJsonAsync(context, 200, LabMetrics.Names, WireJsonContext.Default.IReadOnlyListString);

    public static Task MetricsAsync(LabCluster cluster, HttpContext context, RouteValues values) =>
        LabHttp.WriteJsonAsync(context, 200, LabMetrics.Latest(cluster, values["name"]), WireJsonContext.Default.IReadOnlyListClusterMetric);

    /// <summary>
    /// <c>POST /ipfs/gc</c>: each peer (or the contacted one with <c>local=true</c>) drops stored
    /// blocks no pin needs any more and lists them as <c>keys</c>; down peers report an error.
    /// </summary>
    public static Task RepoGcAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        var local = PinOptionsQuery.Get(context.Request.Query, "local") == "true";
        var removed = cluster.CollectGarbage();
        var peerMap = new Dictionary<string, RepoGc>(StringComparer.Ordinal);
        IReadOnlyList<LabPeer> peers = local ? [cluster.Contacted] : cluster.PeersById;
        foreach (var peer in peers)
        {
            peerMap[peer.Id] = cluster.IsDown(peer)
                ? new RepoGc { Peer = peer.Id, Peername = peer.Name, Keys = [], Error = LabCluster.PeerDownError }
                : new RepoGc { Peer = peer.Id, Peername = peer.Name, Keys = [.. removed[peer.Index].Select(k => new IpfsRepoGc { Key = k })] };
        }

        return LabHttp.WriteJsonAsync(context, 200, new GlobalRepoGc { PeerMap = peerMap }, WireJsonContext.Default.GlobalRepoGc);
    }
}
