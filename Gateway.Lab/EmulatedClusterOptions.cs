using System.Net;
using CompositeGateway.Lab.Connector;

namespace CompositeGateway.Lab;

/// <summary>
/// One emulated ipfs-cluster deployment (the lab's stand-in for an undercluster). Defaults live here.
/// </summary>
internal sealed record EmulatedClusterOptions
{
    /// <summary>Cluster name: prefix of the simulated peers' names (<c>lab-0-peer-1</c>).</summary>
    public string Name { get; init; } = "lab-0";

    /// <summary><c>host:port</c> of the REST listener; port 0 lets the OS choose (see <see cref="EmulatedCluster.BaseAddress"/>).</summary>
    public string Listen { get; init; } = "127.0.0.1:0";

    /// <summary>Number of simulated cluster peers (each with its own simulated IPFS daemon).</summary>
    public int Peers { get; init; } = 3;

    /// <summary>Repo capacity of every simulated IPFS daemon (StorageMax), in bytes.</summary>
    public long Capacity { get; init; } = 100L << 30;

    /// <summary>
    /// Bytes a pin of unknown content is assumed to take on each peer it is allocated to (content
    /// added through <c>/add</c> counts its real size). Drives the <c>freespace</c> metric.
    /// </summary>
    public long NominalPinSize { get; init; } = 1L << 20;

    /// <summary>
    /// How long a pin takes on each allocated peer: <c>pin_queued</c> for the first half,
    /// <c>pinning</c> for the second half, then <c>pinned</c>. Zero = pinned at once.
    /// </summary>
    public TimeSpan PinDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Cluster default for a request's replication 0 (ipfs-cluster's <c>replication_factor_min</c>; −1 = every peer).</summary>
    public int ReplicationFactorMin { get; init; } = -1;

    /// <summary>Cluster default for a request's replication 0 (<c>replication_factor_max</c>).</summary>
    public int ReplicationFactorMax { get; init; } = -1;

    /// <summary><c>restapi.basic_auth_credentials</c>: null = no authentication (docs/protocol/cluster-rest.md §1.1).</summary>
    public IReadOnlyDictionary<string, string>? BasicAuth { get; init; }

    /// <summary>
    /// Lab only: tokens from <c>POST /token</c> expire after this long (claims <c>iat</c>, <c>exp</c>, <c>jti</c>); null = as
    /// ipfs-cluster, tokens without expiry. Whole seconds, at least 1.
    /// </summary>
    public TimeSpan? TokenLifetime { get; init; }

    /// <summary>Lab only: Basic credentials are refused (401) everywhere but <c>POST /token</c>, so a client must use its token.</summary>
    public bool RequireBearer { get; init; }

    /// <summary>Serve the REST API over TLS, optionally requiring a client certificate; null = plain HTTP (ipfs-cluster's default).</summary>
    public LabTlsOptions? Tls { get; init; }

    /// <summary>Faults active from the start; change them at run time through <see cref="EmulatedCluster.Faults"/> or <c>/_lab/faults</c>.</summary>
    public LabFaults Faults { get; init; } = new();

    /// <summary>TTL of the monitor metrics (ipfs-cluster default 30 s).</summary>
    public TimeSpan MetricTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed for the simulated peer IDs; null = random. A fixed seed gives the same IDs every run.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>
    /// Keep the bytes of blocks added through <c>/add</c> (needed to serve them on the IPFS facet).
    /// Off, only CIDs, sizes, links and holders are kept, so benchmarks can import GiBs cheaply.
    /// </summary>
    public bool KeepBlockBytes { get; init; } = true;

    /// <summary>
    /// A pin stays <c>pinning</c> on its peers until every block of its DAG is held by some peer of
    /// this cluster (as a real daemon keeps fetching); blocks imported later let it finish.
    /// </summary>
    public bool RequireBlocks { get; init; }

    /// <summary><c>host:port</c> of the cluster's IPFS (Kubo RPC) facet serving the blocks it holds; null = none.</summary>
    public string? IpfsListen { get; init; }

    /// <summary>
    /// Kubo RPC API (<c>http://host:port</c>) every peer's IPFS daemon is: the peers then track their pins by
    /// driving it as ipfs-cluster v1.1.6 peers do (<see cref="LabPeerTracker"/>), and their status comes from
    /// it. Null = simulated daemons.
    /// </summary>
    public string? IpfsApi { get; init; }

    /// <summary>Per-peer daemons (index i for peer i; a null or missing entry falls back to <see cref="IpfsApi"/>).</summary>
    public IReadOnlyList<string?>? PeerIpfsApis { get; init; }

    /// <summary>The peers' <c>ipfshttp</c> timeouts (<c>pin_timeout</c> is the stall limit of pin/add's progress).</summary>
    public GoIpfsConnectorOptions Connector { get; init; } = new();

    /// <summary><c>pin_recover_interval</c> of peers with a real daemon (ipfs-cluster default 12 min).</summary>
    public TimeSpan RecoverInterval { get; init; } = TimeSpan.FromMinutes(12);

    /// <summary>The daemon URL of peer <paramref name="index"/>, or null when it is simulated.</summary>
    public string? DaemonOf(int index) =>
        PeerIpfsApis is { } perPeer && index < perPeer.Count && perPeer[index] is { } own ? own : IpfsApi;

    /// <summary>Every problem at once, each naming the option (docs/development/style.md §4).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name: must not be empty");
        }

        if (!TryParseListen(Listen, out _))
        {
            errors.Add($"listen: '{Listen}' is not host:port with an IP address");
        }

        if (Peers is < 1 or > 64)
        {
            errors.Add($"peers: {Peers} is outside 1..64");
        }

        if (Capacity <= 0)
        {
            errors.Add("capacity: must be positive");
        }

        if (NominalPinSize < 0)
        {
            errors.Add("pin-size: must not be negative");
        }

        if (PinDelay < TimeSpan.Zero)
        {
            errors.Add("pin-delay: must not be negative");
        }

        if (ReplicationCheck.Validate(ReplicationFactorMin, ReplicationFactorMax) is { } replication)
        {
            errors.Add("replication-min/replication-max: " + replication);
        }

        if (IpfsListen is not null && !TryParseListen(IpfsListen, out _))
        {
            errors.Add($"ipfs-listen: '{IpfsListen}' is not host:port with an IP address");
        }

        foreach (var api in (PeerIpfsApis ?? []).Append(IpfsApi).OfType<string>())
        {
            if (!Uri.TryCreate(api, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                errors.Add($"ipfs-api: '{api}' is not an http://host:port URL of a Kubo RPC API");
            }
        }

        if (PeerIpfsApis is { } apis && apis.Count > Peers)
        {
            errors.Add($"peer-ipfs-api: {apis.Count} daemons given for {Peers} peers");
        }

        if (RecoverInterval <= TimeSpan.Zero)
        {
            errors.Add("recover-interval: must be positive");
        }

        if (TokenLifetime is { } lifetime && lifetime < TimeSpan.FromSeconds(1))
        {
            errors.Add("token-lifetime: must be at least 1s (JWT times are whole seconds)");
        }

        if ((TokenLifetime is not null || RequireBearer) && BasicAuth is null)
        {
            errors.Add("token-lifetime/require-bearer: need basic-auth (tokens are signed with a user's password)");
        }

        if (Tls is { } tls)
        {
            errors.AddRange(tls.Validate());
        }

        if (BasicAuth is { Count: 0 })
        {
            errors.Add("basic-auth: an empty credential map is a configuration error in ipfs-cluster (use null for no auth)");
        }

        return errors;
    }

    public static bool TryParseListen(string listen, out IPEndPoint endpoint) =>
        IPEndPoint.TryParse(listen, out endpoint!) && listen.Contains(':', StringComparison.Ordinal);
}
