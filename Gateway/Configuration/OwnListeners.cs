using System.Net;

namespace CompositeGateway.Configuration;

/// <summary>
/// The gateway's own listeners, to refuse an undercluster <c>url</c> that points back at them: the
/// gateway would call itself instead of an ipfs-cluster REST API (the simplest self-reference; the
/// health monitor catches the others at run time, see docs/design/inception.md). Only what the
/// configuration alone proves is refused: the same port on a loopback or wildcard address the
/// listener accepts, <c>localhost</c> counting as 127.0.0.1 and ::1. Host names are not resolved, and
/// listeners on port 0 (chosen at start) or unix sockets never match.
/// </summary>
internal sealed record OwnListeners(string ListenText, ListenAddress? Listen, string AdminListenText, ListenAddress? AdminListen)
{
    private const string Hint = "an undercluster must be an ipfs-cluster REST API (default port 9094)";

    /// <summary>The problem text when <paramref name="url"/> reaches one of the gateway's listeners, else null.</summary>
    public string? Describe(Uri url) =>
        Reaches(url, Listen) ? $"points at this gateway's own Kubo RPC listener (listen: {ListenText}); {Hint}"
        : Reaches(url, AdminListen) ? $"points at this gateway's own admin listener (admin_listen: {AdminListenText}); {Hint}"
        : null;

    private static bool Reaches(Uri url, ListenAddress? listener)
    {
        if (listener is null || listener.UnixSocketPath is not null || listener.Port == 0 || url.Port != listener.Port)
        {
            return false;
        }

        var urlIsLocalhost = url.IsLoopback && url.HostNameType == UriHostNameType.Dns;
        IPAddress.TryParse(url.DnsSafeHost, out var ip);
        if (listener.IsLocalhost)
        {
            // Kestrel's "localhost" binds 127.0.0.1 and ::1 only.
            return urlIsLocalhost || IPAddress.Loopback.Equals(ip) || IPAddress.IPv6Loopback.Equals(ip);
        }

        var bound = listener.Address!;
        if (bound.Equals(IPAddress.Any))
        {
            // A wildcard listener accepts every local address of its family (IPv4 here); loopback and the
            // wildcard itself are the provable ones. "localhost" resolves to 127.0.0.1 as well.
            return urlIsLocalhost || (ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork } && (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any)));
        }

        if (bound.Equals(IPAddress.IPv6Any))
        {
            // [::] is dual-stack in Kestrel: both families.
            return urlIsLocalhost || (ip is not null && (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
        }

        return bound.Equals(ip) || (urlIsLocalhost && IPAddress.IsLoopback(bound) && (bound.Equals(IPAddress.Loopback) || bound.Equals(IPAddress.IPv6Loopback)));
    }
}
