namespace CompositeGateway.Underclusters;

/// <summary>
/// Undercluster log events: ids 1100–1199, plus 1401–1403 (the status poller's, kept from when it lived in
/// Composition so that existing log filters still match).
/// </summary>
internal static partial class UnderclusterLog
{
    [LoggerMessage(1100, LogLevel.Information, "Undercluster {Undercluster} is up (cluster peer {PeerId})")]
    public static partial void UnderclusterUp(this ILogger logger, string undercluster, string peerId);

    [LoggerMessage(1101, LogLevel.Warning, "Undercluster {Undercluster} is down: {Error}")]
    public static partial void UnderclusterDown(this ILogger logger, string undercluster, string error);

    [LoggerMessage(1102, LogLevel.Debug, "Undercluster {Undercluster} still down ({ConsecutiveFailures} failed probes in a row): {Error}")]
    public static partial void UnderclusterStillDown(this ILogger logger, string undercluster, int consecutiveFailures, string error);

    [LoggerMessage(1103, LogLevel.Error, "Health probe of undercluster {Undercluster} failed unexpectedly")]
    public static partial void ProbeCrashed(this ILogger logger, string undercluster, Exception exception);

    [LoggerMessage(1104, LogLevel.Error, "Undercluster {Undercluster} refused: {Message}")]
    public static partial void UnderclusterRefused(this ILogger logger, string undercluster, string message);

    [LoggerMessage(1105, LogLevel.Debug, "Undercluster {Undercluster} still refused ({ConsecutiveFailures} probes in a row): inception")]
    public static partial void UnderclusterStillRefused(this ILogger logger, string undercluster, int consecutiveFailures);

    [LoggerMessage(1106, LogLevel.Debug, "Topology check (GET /peers) of undercluster {Undercluster} failed: {Error}")]
    public static partial void PeersCheckFailed(this ILogger logger, string undercluster, string error);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Status poll of undercluster \"{Undercluster}\" for {Count} CIDs failed: {Error}")]
    public static partial void PollFailed(ILogger logger, string undercluster, int count, string error);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Error, Message = "Status poll round of undercluster \"{Undercluster}\" crashed")]
    public static partial void RoundCrashed(ILogger logger, string undercluster, Exception exception);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Error, Message = "A waiter on {Cid} (undercluster \"{Undercluster}\") threw while handling its status")]
    public static partial void ObserverFailed(ILogger logger, string undercluster, string cid, Exception exception);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Undercluster \"{Undercluster}\" is configured sole_gateway: true, but it holds a pin owned by gateway {OtherOwner}: "
        + "pin/add keeps its settle delay (at least 20 ms) until the gateway stops; set sole_gateway: false where several gateway identities share an undercluster")]
    public static partial void SoleGatewayButShared(ILogger logger, string undercluster, string otherOwner);
}
