namespace CompositeGateway.Lab.Wire;

/// <summary>The tracker status words a peer reports (docs/protocol/cluster-rest.md §3.1).</summary>
internal static class TrackerStatus
{
    public const string Undefined = "undefined";
    public const string ClusterError = "cluster_error";
    public const string PinError = "pin_error";
    public const string UnpinError = "unpin_error";
    public const string Pinned = "pinned";
    public const string Pinning = "pinning";
    public const string Unpinning = "unpinning";
    public const string Unpinned = "unpinned";
    public const string Remote = "remote";
    public const string PinQueued = "pin_queued";
    public const string UnpinQueued = "unpin_queued";
    public const string Sharded = "sharded";
    public const string UnexpectedlyUnpinned = "unexpectedly_unpinned";
}
