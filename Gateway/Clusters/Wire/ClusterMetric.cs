namespace CompositeGateway.Clusters.Wire;

/// <summary>A monitor metric (<c>GET /monitor/metrics/{name}</c>; docs/protocol/cluster-rest.md §2.4). Times are Unix nanoseconds.</summary>
internal sealed record ClusterMetric
{
    public string Name { get; init; } = "";
    public string Peer { get; init; } = "";
    public string Value { get; init; } = "";
    public long Expire { get; init; }
    public bool Valid { get; init; }
    public long Weight { get; init; }
    public bool Partitionable { get; init; }
    public long ReceivedAt { get; init; }
}
