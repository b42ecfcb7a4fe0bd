namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>resolve</c> answer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.10): an immutable <c>/ipfs/&lt;cid&gt;</c> path.</summary>
internal sealed record ResolveOutput(string Path);
