namespace CompositeGateway.Clusters.Wire;

/// <summary>A monitor metric (<c>GET /monitor/metrics/{name}</c>; docs/protocol/cluster-rest.md §2.4). Times are Unix nanoseconds.</summary>
internal sealed record ClusterMetric
{
    public string Name { get; set; } = "";
    public string Peer { get; set; } = "";
    public string Value { get; set; } = "";
    public long Expire { get; set; }
    public bool Valid { get; set; }
    public long Weight { get; set; }
    public bool Partitionable { get; set; }
    public long ReceivedAt { get; set; }
}
