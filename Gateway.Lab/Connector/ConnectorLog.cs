namespace CompositeGateway.Lab.Connector;

/// <summary>Log events of emulated peers that drive a real IPFS daemon (event ids 9050–9069).</summary>
internal static partial class ConnectorLog
{
    [LoggerMessage(9050, LogLevel.Information, "Emulated peer {Peer}: IPFS daemon {Daemon} answered id ({IpfsId}); the peer is ready")]
    public static partial void DaemonReady(ILogger logger, string peer, Uri daemon, string ipfsId);

    [LoggerMessage(9051, LogLevel.Debug, "Emulated peer {Peer}: IPFS daemon {Daemon} not ready: {Error}")]
    public static partial void DaemonNotReady(ILogger logger, string peer, Uri daemon, string error);

    [LoggerMessage(9052, LogLevel.Warning, "Emulated peer {Peer}: pin {Cid} failed: {Error}")]
    public static partial void PinFailed(ILogger logger, string peer, string cid, string error);

    [LoggerMessage(9053, LogLevel.Debug, "Emulated peer {Peer}: pin/rm of {Cid} (allocated elsewhere) failed: {Error}")]
    public static partial void RemoteUnpinFailed(ILogger logger, string peer, string cid, string error);

    [LoggerMessage(9054, LogLevel.Warning, "Emulated peer {Peer}: recovery round failed: {Error}")]
    public static partial void RecoveryFailed(ILogger logger, string peer, string error);
}
