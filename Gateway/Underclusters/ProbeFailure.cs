namespace CompositeGateway.Underclusters;

/// <summary>Where a probe failed; the label value of <c>gateway_undercluster_probes_total</c>.</summary>
internal enum ProbeFailure
{
    None,
    ConnectError,
    NetworkError,
    Timeout,
    HttpError,
    BadBody,

    /// <summary>The URL answers HTTP, but not as an ipfs-cluster REST API (e.g. a Kubo RPC API). Counted as <c>http_error</c>.</summary>
    NotCluster,
}
