using CompositeGateway.Configuration;
using CompositeGateway.KuboRpc;
using Yarp.ReverseProxy.Forwarder;

namespace CompositeGateway.Forwarding;

/// <summary>Why a command was not forwarded, or failed on the way: the Kubo errors a caller of a forwarded command sees.</summary>
internal static class ForwardFailures
{
    /// <summary>Not answered here and not in <c>kubo_rpc.forward.commands</c>: refused (403), never dropped.</summary>
    public static KuboFailure NotAllowed(string path, ForwardOptions options) => new(
        StatusCodes.Status403Forbidden,
        KuboErrorCode.Forbidden,
        $"command \"{Echo(path)}\" is not answered by the gateway and not forwarded to an undercluster IPFS daemon: kubo_rpc.forward.commands allows {string.Join(", ", options.Commands)}");

    /// <summary>Forwarding is allowed but no undercluster has <c>ipfs_api</c>: Kubo's status for a command it does not have (404).</summary>
    public static KuboFailure NoDaemonConfigured(string path) => new(
        StatusCodes.Status404NotFound,
        KuboErrorCode.Client,
        $"unknown command \"{Echo(path)}\": not answered by the gateway, and no undercluster has an IPFS daemon to forward it to (set underclusters[].ipfs_api)");

    public static KuboFailure NoDaemonHealthy(string command, IReadOnlyList<IpfsDaemon> daemons) => new(
        StatusCodes.Status503ServiceUnavailable,
        KuboErrorCode.Normal,
        $"command \"{command}\" cannot be forwarded: no undercluster with an IPFS daemon is healthy ({string.Join(", ", daemons.Select(d => d.Undercluster))})");

    public static KuboFailure Upstream(string command, IpfsDaemon daemon, ForwarderError error, Exception? exception)
    {
        var what = error switch
        {
            ForwarderError.Request when exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "cannot connect",
            ForwarderError.RequestTimedOut => $"no answer within {Go.GoDuration.Format(daemon.Timeout)}",
            ForwarderError.RequestBodyClient => "the caller's request body failed",
            _ => exception?.Message ?? error.ToString(),
        };
        var status = error switch
        {
            ForwarderError.RequestTimedOut => StatusCodes.Status504GatewayTimeout,
            ForwarderError.RequestBodyClient => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status502BadGateway,
        };
        return new(status, KuboErrorCode.Normal, $"forwarding \"{command}\" to the IPFS daemon of undercluster {daemon.Undercluster} ({daemon.BaseUrl.GetLeftPart(UriPartial.Authority)}) failed: {what}");
    }

    private static string Echo(string value) => value.Length <= 200 ? value : string.Concat(value.AsSpan(0, 200), "…");
}
