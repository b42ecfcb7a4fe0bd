using System.Net.Sockets;

namespace CompositeGateway.Hosting;

/// <summary>
/// A unix socket file outlives a process that was killed (SIGKILL, OOM), and binding over it fails with
/// "address in use". Before binding we remove such a file, but only when nothing answers on it, so a second
/// gateway started on a live socket still fails loudly instead of stealing it.
/// </summary>
internal static class StaleUnixSocket
{
    public static void RemoveIfAbandoned(string path)
    {
        // FileInfo cannot tell a socket from a regular file; the connect attempt decides: a regular file gives
        // a different error than "refused", and is left alone.
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
        }
        catch (SocketException)
        {
            // Not a socket, or not ours to judge: leave it and let the bind report the problem.
        }
    }
}
