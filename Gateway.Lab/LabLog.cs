
namespace CompositeGateway.Lab;

/// <summary>Log events of the lab (event ids 9000–9099).</summary>
internal static partial class LabLog
{
    [LoggerMessage(9000, LogLevel.Information, "Emulated cluster {Name} listening on {Address} ({Peers} peers)")]
    public static partial void Listening(ILogger logger, string name, Uri address, int peers);

    [LoggerMessage(9001, LogLevel.Information, "Emulated cluster {Name} is down (no longer listening on {Address})")]
    public static partial void WentDown(ILogger logger, string name, Uri address);

    [LoggerMessage(9002, LogLevel.Warning, "Emulated cluster {Name} could not come back up on {Address}")]
    public static partial void ComeBackFailed(ILogger logger, string name, Uri address, Exception exception);

    [LoggerMessage(9003, LogLevel.Information, "Emulated cluster {Name}: IPFS (Kubo RPC) facet listening on {Address}")]
    public static partial void IpfsListening(ILogger logger, string name, Uri address);
}
