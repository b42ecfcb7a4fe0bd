namespace CompositeGateway.Forwarding;

/// <summary>Source-generated log messages of forwarding to undercluster IPFS daemons (event ids 1600–1699).</summary>
internal static partial class ForwardingLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "Forwarding {Command} to undercluster {Undercluster} ({Daemon}) failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string command, string undercluster, Uri daemon, string error, Exception? exception);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Forwarded {Command} from undercluster {Undercluster} ended with a stream error; ending the answer in error: {Error}")]
    public static partial void StreamError(ILogger logger, string command, string undercluster, string error);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Could not read extract_headers_extra from undercluster {Undercluster} ({Daemon}): {Error}")]
    public static partial void ExtractHeadersFailed(ILogger logger, string undercluster, Uri daemon, string error);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Debug, Message = "Forwarding {Command} to undercluster {Undercluster} ({Daemon})")]
    public static partial void Forwarding(ILogger logger, string command, string undercluster, Uri daemon);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "kubo_rpc.forward.commands lists {Command}, which the gateway answers itself ({Own}); it is never forwarded")]
    public static partial void OwnCommandListed(ILogger logger, string command, string own);
}
