namespace CompositeGateway.Clusters.Wire;

/// <summary><c>POST /token</c> answer: a JWT for Bearer authentication (docs/protocol/cluster-rest.md §1.1).</summary>
internal sealed record ClusterToken(string Token);
