namespace CompositeGateway.Clusters;

/// <summary>
/// Transport and resilience tuning shared by every undercluster client. Not (yet) part of
/// <c>gateway.yaml</c>: the defaults below are the product's choices; tests shorten them.
/// The per-call timeout itself is <see cref="Configuration.UnderclusterOptions.Timeout"/>.
/// </summary>
internal sealed record ClusterClientSettings
{
    /// <summary>Retries after the first attempt, for idempotent calls (GET) only. 0 disables retries.</summary>
    public int MaxRetryAttempts { get; init; } = 2;

    /// <summary>First back-off delay; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The breaker opens when at least this share of calls in the window failed transiently…</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    /// <summary>…over this window…</summary>
    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>…and the window saw at least this many calls (so a few failures in a row on a quiet gateway open it too).</summary>
    public int BreakerMinimumThroughput { get; init; } = 8;

    /// <summary>How long an open circuit rejects calls before letting one probe through (half-open).</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Connections per undercluster: status polls, pins and long-lived add streams share it. Above it
    /// requests queue inside SocketsHttpHandler (which the time-to-headers timeout then covers).
    /// </summary>
    public int MaxConnectionsPerServer { get; init; } = 128;

    /// <summary>Recycles connections so DNS changes of an undercluster's address are noticed.</summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Below ipfs-cluster's 120 s <c>idle_timeout</c> (docs/protocol/cluster-rest.md §1), so we never reuse a connection the server is closing.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Longest path and query sent in one request; batched <c>GET /pins?cids=…</c> calls are split to
    /// stay under it. Go's net/http accepts 1 MiB of request headers, but proxies in front of an
    /// undercluster commonly stop at 8 KiB for the request line.
    /// </summary>
    public int MaxRequestTargetLength { get; init; } = 6 * 1024;

    /// <summary>How much of an error body is read to find the cluster's message.</summary>
    public int MaxErrorBodyBytes { get; init; } = 16 * 1024;
}
