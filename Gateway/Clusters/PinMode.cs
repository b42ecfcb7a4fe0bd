namespace CompositeGateway.Clusters;

/// <summary>
/// How a CID is pinned: the cluster's PinMode strings (docs/protocol/cluster-rest.md §3.3) and the Kubo pin types the surface distinguishes
/// (<c>type=</c> of pin/ls, <c>recursive=</c> of pin/add) are the same two values.
/// </summary>
internal enum PinMode
{
    Recursive,
    Direct,
}
