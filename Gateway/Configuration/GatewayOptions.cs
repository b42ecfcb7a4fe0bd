namespace CompositeGateway.Configuration;

/// <summary>The whole of <c>gateway.yaml</c>, validated and immutable. Defaults live here, in the type.</summary>
internal sealed record GatewayOptions
{
    /// <summary>Kubo RPC listener for the overcluster peer: <c>host:port</c> or <c>unix:/path</c>.</summary>
    public string Listen { get; init; } = "127.0.0.1:5001";

    /// <summary>Admin listener: <c>/metrics</c>, <c>/health</c>, <c>/ready</c>.</summary>
    public string AdminListen { get; init; } = "127.0.0.1:9465";

    /// <summary><c>admin_auth</c>: bearer token for the admin listener's routes except <c>/health</c>; null: open.</summary>
    public AdminAuthOptions? AdminAuth { get; init; }

    /// <summary><c>tls</c>: certificate for the TCP <c>listen</c> and <c>admin_listen</c>; null: plain HTTP.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>Ed25519 identity key; relative paths are resolved against the config file's folder.</summary>
    public string IdentityFile { get; init; } = "identity.key";

    public IReadOnlyList<UnderclusterOptions> Underclusters { get; init; } = [];

    public HealthOptions Health { get; init; } = new();

    /// <summary>The pin path: when a pin counts as done, polling, ownership metadata (<c>pin_path:</c>).</summary>
    public PinPathOptions PinPath { get; init; } = new();

    /// <summary>How pins spread over several underclusters (<c>placement:</c>).</summary>
    public PlacementOptions Placement { get; init; } = new();

    /// <summary>The Kubo RPC surface (<c>kubo_rpc:</c>).</summary>
    public KuboRpcOptions KuboRpc { get; init; } = new();

    /// <summary>Trace export (<c>telemetry:</c>); off by default.</summary>
    public TelemetryOptions Telemetry { get; init; } = new();

    /// <summary>How long in-flight requests may take to finish after SIGTERM/SIGINT.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Absolute path of the file these options were loaded from; null when built in code (tests).</summary>
    public string? ConfigFile { get; init; }
}

/// <summary>One ipfs-cluster deployment behind the gateway, reached over its REST API.</summary>
internal sealed record UnderclusterOptions
{
    public required string Name { get; init; }

    /// <summary>Base URL of the cluster REST API (no trailing path), e.g. <c>http://127.0.0.1:9094</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>Per-call timeout towards this undercluster (streams: time to first byte; a status batch: twice this for the whole answer).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public ClusterAuthOptions? Auth { get; init; }

    /// <summary><c>tls</c>: how an <c>https</c> <see cref="Url"/> is trusted and which client certificate is shown; null = system trust store, none.</summary>
    public UnderclusterTlsOptions? Tls { get; init; }

    /// <summary>
    /// <c>replication_factor_min</c> sent with pins the gateway creates in this undercluster; 0 = <c>pin_path.replication_min</c>
    /// (whose own 0 means the undercluster's default).
    /// </summary>
    public int ReplicationFactorMin { get; init; }

    /// <summary><c>replication_factor_max</c>, as <see cref="ReplicationFactorMin"/>.</summary>
    public int ReplicationFactorMax { get; init; }

    /// <summary><c>weight</c>: relative share of new pins under <c>placement.policy: spread</c> (weighted rendezvous hashing).</summary>
    public double Weight { get; init; } = 1;

    /// <summary><c>tags</c>: free-form labels for operators (shown in <c>/ready</c>); placement does not read them.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// <c>ipfs_api</c>: base URL of an IPFS daemon (Kubo RPC) of this undercluster, e.g. <c>http://127.0.0.1:5001</c>;
    /// Kubo RPC commands listed in <c>kubo_rpc.forward.commands</c> are forwarded there. Null: none.
    /// </summary>
    public Uri? IpfsApi { get; init; }

    /// <summary><c>required</c>: <c>/ready</c> answers 503 while this undercluster is down. Default true.</summary>
    public bool Required { get; init; } = true;

    /// <summary>
    /// <c>sole_gateway</c>: no other gateway identity writes pins into this undercluster (replicas sharing this gateway's key
    /// may, and so may writers that are not gateways), so a pin wait can end on the first status that shows the pin pinned,
    /// without settling first (docs/design/ownership.md rule 2). Default false: the settle stays until an operator says otherwise.
    /// </summary>
    public bool SoleGateway { get; init; }
}

/// <summary>How the gateway proves itself to an undercluster's REST API (docs/protocol/cluster-rest.md §1.1).</summary>
internal enum ClusterAuthMode
{
    /// <summary>HTTP Basic with the username and password on every call.</summary>
    Basic,

    /// <summary><c>POST /token</c> with Basic once, then <c>Authorization: Bearer</c>; renewed before it expires and once on a 401.</summary>
    Jwt,
}

/// <summary>Credentials for an undercluster REST API. The secret itself is never in the YAML.</summary>
internal sealed record ClusterAuthOptions
{
    /// <summary><c>mode</c>: <c>basic</c> (default) or <c>jwt</c>.</summary>
    public ClusterAuthMode Mode { get; init; } = ClusterAuthMode.Basic;

    public required string Username { get; init; }

    /// <summary>Resolved at start-up from <c>password_env</c> or <c>password_file</c>.</summary>
    public required string Password { get; init; }

    /// <summary>Where the password came from, for <c>check-config</c> (which never prints the secret).</summary>
    public required string PasswordSource { get; init; }

    /// <summary>Absolute path of <c>password_file</c>, to warn when others can read it; null with <c>password_env</c>.</summary>
    public string? PasswordFile { get; init; }
}

/// <summary>
/// <c>underclusters[i].tls</c>: trust and client identity for an <c>https</c> undercluster. Paths are absolute (resolved
/// against the config file's folder) and were read and parsed once at load time, so a bad file fails start-up.
/// </summary>
internal sealed record UnderclusterTlsOptions
{
    /// <summary><c>ca_file</c>: PEM bundle of the CAs trusted for this undercluster, instead of the system trust store; null = system store.</summary>
    public string? CaFile { get; init; }

    /// <summary><c>client_certificate_file</c>: PEM certificate (chain) shown to the undercluster (mTLS); with <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary><c>client_key_file</c>: PEM private key of the client certificate. A secret: warned about when group/others can read it.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary><c>insecure_skip_verify</c>: accept any server certificate. For tests only; logged as a warning at every start.</summary>
    public bool InsecureSkipVerify { get; init; }
}

/// <summary>Background probing of underclusters that drives <c>/ready</c>.</summary>
internal sealed record HealthOptions
{
    /// <summary>How often each undercluster's <c>GET /id</c> is probed.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An undercluster counts as ready while its last successful probe is younger than this.</summary>
    public TimeSpan ReadyWithin { get; init; } = TimeSpan.FromSeconds(15);
}
