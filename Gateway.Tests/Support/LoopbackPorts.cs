using System.Net;
using System.Net.Sockets;

namespace CompositeGateway.Tests.Support;

/// <summary>Ports for processes that must be told theirs in advance (a configuration file, a command line).</summary>
internal static class LoopbackPorts
{
    /// <summary>A loopback port that was free a moment ago: bound and released again, so another process can take it first.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
