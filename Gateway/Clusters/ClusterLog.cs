namespace CompositeGateway.Clusters;

/// <summary>Every log event of <c>Clusters/</c>: event ids 1200–1299 (Admin has 1100–1199; docs/development/style.md §10).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1201, LogLevel.Warning, "Undercluster {Cluster}: {Operation} failed ({Kind}): {Detail}")]
    public static partial void CallFailed(ILogger logger, string cluster, string operation, ClusterFailureKind kind, string detail);

    [LoggerMessage(1202, LogLevel.Debug, "Undercluster {Cluster}: {Operation} cancelled by the caller")]
    public static partial void CallCancelled(ILogger logger, string cluster, string operation);

    [LoggerMessage(1203, LogLevel.Information, "Undercluster {Cluster}: retry {Attempt} of {Operation} in {Delay} after {Reason}")]
    public static partial void Retrying(ILogger logger, string cluster, int attempt, string operation, TimeSpan delay, string reason);

    [LoggerMessage(1204, LogLevel.Warning, "Undercluster {Cluster}: circuit opened for {BreakDuration} after {Reason}")]
    public static partial void CircuitOpened(ILogger logger, string cluster, TimeSpan breakDuration, string reason);

    [LoggerMessage(1205, LogLevel.Information, "Undercluster {Cluster}: circuit half-open, probing with the next call")]
    public static partial void CircuitHalfOpened(ILogger logger, string cluster);

    [LoggerMessage(1206, LogLevel.Information, "Undercluster {Cluster}: circuit closed")]
    public static partial void CircuitClosed(ILogger logger, string cluster);

    [LoggerMessage(1207, LogLevel.Debug, "Undercluster {Cluster}: status of {Count} CIDs split into {Batches} requests")]
    public static partial void StatusBatched(ILogger logger, string cluster, int count, int batches);

    // Debug: the monitor already logs the undercluster going down, once, as a warning.
    [LoggerMessage(1208, LogLevel.Debug, "Undercluster {Cluster}: circuit held open while the health probe sees it down: {Reason}")]
    public static partial void CircuitIsolated(ILogger logger, string cluster, string reason);

    // 1240–1249: undercluster REST authentication (docs/security-outbound.md). The token itself is never logged.
    [LoggerMessage(1240, LogLevel.Debug, "Undercluster {Cluster}: new REST API token ({Reason}), {Expiry}")]
    public static partial void TokenIssued(ILogger logger, string cluster, string reason, string expiry);

    [LoggerMessage(1241, LogLevel.Warning, "Undercluster {Cluster}: POST /token answered {Status}: check auth.username and its password")]
    public static partial void TokenRefused(ILogger logger, string cluster, int status);

    [LoggerMessage(1242, LogLevel.Debug, "Undercluster {Cluster}: 401 with a token to {Path}; asking a new token and sending once more")]
    public static partial void TokenRejected(ILogger logger, string cluster, string path);
}
