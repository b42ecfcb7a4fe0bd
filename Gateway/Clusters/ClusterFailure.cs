using System.Net;

namespace CompositeGateway.Clusters;

/// <summary>Where an undercluster call failed (docs/development/style.md §6). One value per stage of the call.</summary>
internal enum ClusterFailureKind
{
    /// <summary>Rejected locally before sending (invalid pin options, CID or path); nothing reached the cluster.</summary>
    InvalidRequest,

    /// <summary>No response: connection refused, name resolution, reset or EOF before response headers.</summary>
    Connect,

    /// <summary>No response headers (or, for single documents, no complete body) within the configured timeout.</summary>
    Timeout,

    /// <summary>The cluster answered a status other than success (3xx included: redirects are never followed).</summary>
    HttpStatus,

    /// <summary>The cluster answered 401: the configured credentials were refused or missing (docs/protocol/cluster-rest-api.md §1.1).</summary>
    Unauthorized,

    /// <summary>A success status whose body does not decode as the expected type.</summary>
    BadBody,

    /// <summary>A stream that began but did not end cleanly: non-empty <c>X-Stream-Error</c> trailer (docs/protocol/cluster-rest-api.md §1.3) or a dropped connection.</summary>
    StreamBroken,

    /// <summary>The circuit breaker for this undercluster is open: the call was not attempted.</summary>
    CircuitOpen,

    /// <summary>The caller's token was cancelled (or a stream's consumer stopped reading before its end).</summary>
    Cancelled,
}

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
