using System.Net;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Underclusters;
using Yarp.ReverseProxy.Forwarder;

namespace CompositeGateway.Forwarding;

/// <summary>An undercluster's IPFS daemon (<c>underclusters[].ipfs_api</c>).</summary>
internal sealed record IpfsDaemon(string Undercluster, Uri BaseUrl, TimeSpan Timeout)
{
    /// <summary>The base URL as YARP's destination prefix (no trailing slash), made once rather than per request.</summary>
    public string DestinationPrefix { get; } = BaseUrl.AbsoluteUri.TrimEnd('/');

    /// <summary>How YARP sends to this daemon, the same for every request.</summary>
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        // No byte from the daemon for this long fails the call; an endless stream that keeps sending lives on.
        ActivityTimeout = Timeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };
}

/// <summary>
/// Picks the daemon a forwarded command goes to, without any extra round trip (docs/forwarding.md "Which daemon"):
/// only underclusters with <c>ipfs_api</c> whose last health probe succeeded (those not probed yet come after them;
/// those found down or refused never). Under <c>placement.policy: spread</c> the order is the placement ranking of the
/// command's first CID argument — the undercluster the pin was placed on comes first, computed, not asked; under
/// <c>replicate</c> and <c>failover</c>, and for commands without a CID, configuration order.
/// </summary>
internal sealed class DaemonChooser
{
    private readonly IReadOnlyList<IpfsDaemon> _daemons;
    private readonly IUnderclusterHealthView? _health;
    private readonly Placement? _placement;

    public DaemonChooser(GatewayOptions options, IUnderclusterHealthView? health, Placement? placement)
    {
        _daemons = [.. options.Underclusters.Where(u => u.IpfsApi is not null).Select(u => new IpfsDaemon(u.Name, u.IpfsApi!, u.Timeout))];
        _health = health;
        _placement = placement;
    }

    public IReadOnlyList<IpfsDaemon> Daemons => _daemons;

    /// <summary>Whether <see cref="Candidates"/> orders by the command's CID argument (spread placement, more than one daemon).</summary>
    public bool RanksByArgument => _daemons.Count > 1 && _placement is { Policy: PlacementPolicy.Spread };

    /// <summary>The daemons in the order to try for a command whose first argument is <paramref name="argument"/>; empty when none is usable.</summary>
    public IReadOnlyList<IpfsDaemon> Candidates(string? argument)
    {
        IReadOnlyList<IpfsDaemon> ordered = _daemons;
        if (RanksByArgument && CidOf(argument) is { } cid)
        {
            var rank = _placement!.Rank(cid).Select((member, index) => (member.Name, index)).ToDictionary(x => x.Name, x => x.index, StringComparer.Ordinal);
            ordered = [.. _daemons.OrderBy(d => rank.GetValueOrDefault(d.Undercluster, int.MaxValue))];
        }

        // Every request asks this; when all daemons are healthy (the usual case) the answer needs no health snapshot and no new list.
        if (_health is null || AllHealthy(_health, ordered))
        {
            return ordered;
        }

        var states = _health.Snapshot().ToDictionary(s => s.Name, s => s.State, StringComparer.Ordinal);
        return
        [
            .. ordered.Where(d => _health.IsHealthy(d.Undercluster)),
            .. ordered.Where(d => states.GetValueOrDefault(d.Undercluster) == UnderclusterState.Unknown),
        ];
    }

    private static bool AllHealthy(IUnderclusterHealthView health, IReadOnlyList<IpfsDaemon> daemons)
    {
        for (var i = 0; i < daemons.Count; i++)
        {
            if (!health.IsHealthy(daemons[i].Undercluster))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The CID of a Kubo path argument (<c>Qm…</c>, <c>/ipfs/&lt;cid&gt;/a/b</c>), in the form placement hashes.</summary>
    private static string? CidOf(string? argument)
    {
        if (string.IsNullOrEmpty(argument))
        {
            return null;
        }

        var segments = argument.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var candidate = argument.StartsWith('/') ? (segments.Length >= 2 && segments[0] is "ipfs" or "ipld" ? segments[1] : null) : segments.FirstOrDefault();
        return Cid.TryParse(candidate, out var cid) ? cid.ToString() : null;
    }
}
