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

    /// <summary>The cluster answered 401: the configured credentials were refused or missing (docs/protocol/cluster-rest.md §1.1).</summary>
    Unauthorized,

    /// <summary>A success status whose body does not decode as the expected type.</summary>
    BadBody,

    /// <summary>A stream that began but did not end cleanly: non-empty <c>X-Stream-Error</c> trailer (docs/protocol/cluster-rest.md §1.3) or a dropped connection.</summary>
    StreamBroken,

    /// <summary>The circuit breaker for this undercluster is open: the call was not attempted.</summary>
    CircuitOpen,

    /// <summary>The caller's token was cancelled (or a stream's consumer stopped reading before its end).</summary>
    Cancelled,
}
