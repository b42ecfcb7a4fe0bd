namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>version</c> answer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.15), Kubo's field set.</summary>
internal sealed record VersionOutput(string Version, string Commit, string Repo, string System, string Golang);
