namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>version</c> answer (§4.15), Kubo's field set.</summary>
internal sealed record VersionOutput(string Version, string Commit, string Repo, string System, string Golang);
