using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace CompositeGateway.Configuration;

/// <summary>
/// A listener address from <c>listen</c> / <c>admin_listen</c>: <c>host:port</c> where host is an IP address
/// (IPv6 in brackets) or <c>localhost</c>, or <c>unix:/absolute/path</c>. Port 0 asks the OS for a free port.
/// Host names other than localhost are refused: binding must not depend on DNS.
/// </summary>
internal sealed record ListenAddress
{
    private const string UnixPrefix = "unix:";

    /// <summary>The IP to bind; null for <c>localhost</c> (both loopbacks) and for unix sockets.</summary>
    public IPAddress? Address { get; private init; }

    public bool IsLocalhost { get; private init; }

    public int Port { get; private init; }

    /// <summary>Absolute socket path when this is a unix socket address.</summary>
    public string? UnixSocketPath { get; private init; }

    public static ListenAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string text, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = text[UnixPrefix.Length..];
            if (!path.StartsWith('/'))
            {
                return Fail(out error, $"\"{text}\": the unix socket path must be absolute, e.g. unix:/run/composite-gateway.sock");
            }

            address = new ListenAddress { UnixSocketPath = path };
            error = null;
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0 || (text.StartsWith('[') && !text[..colon].EndsWith(']')))
        {
            return Fail(out error, $"\"{text}\" has no port: use host:port with an IP address or localhost (e.g. 127.0.0.1:5001), or unix:/absolute/path");
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return Fail(out error, $"port \"{portText}\" must be a number from 1 to 65535 (0 lets the OS pick a free port)");
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress { IsLocalhost = true, Port = port };
            error = null;
            return true;
        }

        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        var bare = bracketed ? host[1..^1] : host;
        if (!IPAddress.TryParse(bare, out var ip) || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != bracketed
            || bare.Contains('%', StringComparison.Ordinal))
        {
            return Fail(out error, $"host \"{host}\" must be an IP address (IPv6 in brackets, e.g. [::1]) or localhost; names are not resolved");
        }

        address = new ListenAddress { Address = ip, Port = port };
        error = null;
        return true;
    }

    /// <summary>True when both addresses would compete for the same socket (port 0 never collides: each bind gets its own port).</summary>
    public bool Overlaps(ListenAddress other)
    {
        if (UnixSocketPath is not null || other.UnixSocketPath is not null)
        {
            return UnixSocketPath == other.UnixSocketPath;
        }

        if (Port == 0 || Port != other.Port)
        {
            return false;
        }

        return HostCovers(this, other) || HostCovers(other, this);

        static bool HostCovers(ListenAddress a, ListenAddress b) =>
            (a.Address is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(b.Address)))
            || (a.IsLocalhost && (b.IsLocalhost || (b.Address is { } other && IPAddress.IsLoopback(other))));
    }

    public override string ToString() => UnixSocketPath is { } path
        ? UnixPrefix + path
        : IsLocalhost
            ? $"localhost:{Port}"
            : new IPEndPoint(Address!, Port).ToString();

    private static bool Fail(out string error, string message)
    {
        error = message;
        return false;
    }
}
