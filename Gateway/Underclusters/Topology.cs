namespace CompositeGateway.Underclusters;

/// <summary>
/// What <c>composite-gateway topology</c> and the admin <c>GET /topology</c> found below this gateway
/// (docs/observability.md). Plain data, rendered as JSON, text or Mermaid by <see cref="TopologyRenderer"/>.
/// </summary>
internal sealed record TopologyReport(string? GatewayPeerId, string AgentVersion, int Depth, IReadOnlyList<TopologyUndercluster> Underclusters)
{
    /// <summary>Set when the time budget ran out before every call answered; the parts cut off say so themselves.</summary>
    public string? Note { get; init; }

    /// <summary>Any undercluster holds a peer whose IPFS daemon is this gateway.</summary>
    public bool Loop => Underclusters.Any(u => u.Loop);
}

/// <summary>One configured undercluster: <c>reachable</c> or <c>unreachable</c> (with <see cref="Error"/>).</summary>
internal sealed record TopologyUndercluster(string Name, string Url, string Status)
{
    public string? Error { get; init; }

    /// <summary>The peer that answered <c>GET /id</c>.</summary>
    public string? PeerId { get; init; }

    /// <summary><c>GET /peers</c>; null when not asked (depth) or when it failed (<see cref="PeersError"/>).</summary>
    public IReadOnlyList<TopologyPeer>? Peers { get; init; }

    public string? PeersError { get; init; }

    /// <summary><c>ipfs_api</c> of the configuration, asked <c>POST /api/v0/id</c>; null when none is configured.</summary>
    public TopologyDaemon? IpfsApi { get; init; }

    public bool Loop => Peers?.Any(p => p.Daemon == TopologyDaemonKind.ThisGateway) == true
        || IpfsApi?.Kind == TopologyDaemonKind.ThisGateway;
}

/// <summary>One cluster peer (<c>GET /peers</c>, docs/protocol/cluster-rest.md §2.3) and what its IPFS daemon is.</summary>
internal sealed record TopologyPeer(string Id, string? Peername, string? IpfsId, string Daemon)
{
    public string? IpfsError { get; init; }
}

/// <summary>An IPFS daemon reached through <c>ipfs_api</c>.</summary>
internal sealed record TopologyDaemon(string Url, string Kind)
{
    public string? Id { get; init; }
    public string? AgentVersion { get; init; }
    public string? Error { get; init; }

    /// <summary>For a gateway: why its own composition is not shown (see docs/observability.md).</summary>
    public string? Note { get; init; }
}

/// <summary>The values of <see cref="TopologyPeer.Daemon"/> and <see cref="TopologyDaemon.Kind"/>.</summary>
internal static class TopologyDaemonKind
{
    /// <summary>The daemon is this gateway: pins through this undercluster loop back here (inception).</summary>
    public const string ThisGateway = "this_gateway";

    /// <summary>Another CompositeGateway (its <c>AgentVersion</c> says so): a further level of composition.</summary>
    public const string Gateway = "gateway";

    /// <summary>An IPFS daemon that is not a gateway (Kubo or another implementation).</summary>
    public const string Ipfs = "ipfs";

    /// <summary>Not known: the peer reported no daemon ID, or the daemon was not asked.</summary>
    public const string Unknown = "unknown";

    public const string Unreachable = "unreachable";
}
