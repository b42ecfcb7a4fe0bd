namespace CompositeGateway.KuboRpc;

/// <summary>Source-generated log messages of the Kubo RPC surface (event ids 1100–1199).</summary>
internal static partial class KuboRpcLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "Kubo RPC {Command} failed unexpectedly")]
    public static partial void CommandCrashed(ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Kubo RPC {Command} failed after the response started; ending the stream without its clean end: {Message}")]
    public static partial void StreamAborted(ILogger logger, string command, string message);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Swarm addresses for id unavailable; answering without addresses")]
    public static partial void SwarmAddressesUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Debug, Message = "Kubo RPC swarm/connect {Address} accepted as a no-op")]
    public static partial void SwarmConnectIgnored(ILogger logger, string address);

    /// <summary>
    /// What every log line written while answering one Kubo request carries (JSON logs: <c>Scopes</c>): the command and
    /// its first argument, the CID or path as the peer sent it. The undercluster is a field of each line that concerns one.
    /// </summary>
    public static IDisposable? BeginRequestScope(ILogger logger, string command, string? argument) =>
        logger.BeginScope(new KeyValuePair<string, object?>[] { new("KuboCommand", command), new("Cid", argument) });

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Kubo RPC refused a request to {Path} (possible CSRF): {Reason}")]
    public static partial void BrowserRequestRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Kubo RPC {Command}: the caller's request broke off or was malformed while being read: {Reason}")]
    public static partial void RequestBroken(ILogger logger, string command, string reason);
}
