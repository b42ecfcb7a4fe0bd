using System.Net;

namespace CompositeGateway.Clusters;

/// <summary>
/// An undercluster call that did not succeed, with enough context to explain it to the overcluster
/// peer (see <see cref="ClusterFailureMessages"/>) and to an operator reading the logs.
/// </summary>
/// <param name="Kind">The stage at which the call failed.</param>
/// <param name="Cluster">The undercluster's configured name.</param>
/// <param name="BaseUrl">The undercluster's REST API base URL.</param>
/// <param name="Operation">Method and path, e.g. <c>POST /pins/bafy…</c> (no query string: it can be kilobytes long).</param>
/// <param name="Detail">The cluster's <c>message</c>, the raw body text, the decode error or the transport error.</param>
internal sealed record ClusterFailure(ClusterFailureKind Kind, string Cluster, Uri BaseUrl, string Operation, string Detail)
{
    /// <summary>The HTTP status the cluster answered, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>For <see cref="ClusterFailureKind.BadBody"/>: the wire type that failed to decode.</summary>
    public string? ExpectedType { get; init; }

    /// <summary>For <see cref="ClusterFailureKind.Timeout"/>: the limit that was exceeded.</summary>
    public TimeSpan? TimeoutAfter { get; init; }

    public override string ToString() => ClusterFailureMessages.Describe(this);
}
