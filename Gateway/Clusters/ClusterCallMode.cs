namespace CompositeGateway.Clusters;

/// <summary>How one undercluster call goes through the client's resilience pipeline and logs.</summary>
internal enum ClusterCallMode
{
    /// <summary>Retries (GET only), circuit breaker, attempt timeout; failures logged by <see cref="ClusterClient"/>.</summary>
    Normal,

    /// <summary>
    /// A health probe (Admin's monitor): one attempt under the undercluster's timeout, neither blocked nor
    /// counted by the circuit breaker, failures not logged. The monitor has its own cadence and logs
    /// state changes once; retrying inside a probe would only delay its verdict (and, on a fake clock,
    /// stall it), an open circuit would hide the undercluster's real state and delay noticing its
    /// recovery, and a warning per failed probe every few seconds would drown the log.
    /// </summary>
    HealthProbe,
}
