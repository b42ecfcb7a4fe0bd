namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>resolve</c> answer (§4.10): an immutable <c>/ipfs/&lt;cid&gt;</c> path.</summary>
internal sealed record ResolveOutput(string Path);
