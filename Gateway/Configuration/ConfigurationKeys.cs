using System.Diagnostics;

namespace CompositeGateway.Configuration;

/// <summary>
/// Every key of <c>gateway.yaml</c>, in the order the file, <c>check-config</c> and the "known keys" hints list them.
/// Defaults are read from the options records, so they are written once, there.
/// </summary>
internal static class ConfigurationKeys
{
    public static IReadOnlyDictionary<string, PlacementPolicy> PolicyNames { get; } = new Dictionary<string, PlacementPolicy>(StringComparer.Ordinal)
    {
        ["replicate"] = PlacementPolicy.Replicate,
        ["spread"] = PlacementPolicy.Spread,
        ["failover"] = PlacementPolicy.Failover,
    };

    public static IReadOnlyDictionary<string, RepoStatUnreachable> RepoStatNames { get; } = new Dictionary<string, RepoStatUnreachable>(StringComparer.Ordinal)
    {
        ["leave-out"] = RepoStatUnreachable.LeaveOut,
        ["fail"] = RepoStatUnreachable.Fail,
    };

    private static readonly Dictionary<string, PinWaitMode> PinWaitNames = PinWaitModeSyntax.Names.ToDictionary(
        name => name, name => PinWaitModeSyntax.TryParse(name, out var mode) ? mode : throw new UnreachableException(name), StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, ClusterAuthMode> AuthModeNames { get; } = new Dictionary<string, ClusterAuthMode>(StringComparer.Ordinal)
    {
        ["basic"] = ClusterAuthMode.Basic,
        ["jwt"] = ClusterAuthMode.Jwt,
    };

    public static ConfigurationSection Auth { get; } = new()
    {
        // The secret's source is shown instead of password_env / password_file (EffectiveConfiguration).
        Defaults = new ClusterAuthOptions { Username = "", Password = "", PasswordSource = "" },
        Keys =
        [
            Key<ClusterAuthOptions, ClusterAuthMode>("mode", KeyKind.Choice(AuthModeNames), a => a.Mode, (a, v) => a with { Mode = v }),
            Key<ClusterAuthOptions, string>("username", KeyKind.Special, a => a.Username) with { Required = true },
            Key<ClusterAuthOptions, string?>("password_env", KeyKind.Special, _ => null),
            Key<ClusterAuthOptions, string?>("password_file", KeyKind.Special, _ => null),
        ],
        RejectedKeys = new Dictionary<string, string> { ["password"] = ConfigurationSchema.InlinePasswordMessage },
    };

    public static ConfigurationSection UnderclusterTls { get; } = new()
    {
        Defaults = new UnderclusterTlsOptions(),
        Keys =
        [
            Key<UnderclusterTlsOptions, string?>("ca_file", KeyKind.Special, t => t.CaFile),
            Key<UnderclusterTlsOptions, string?>("client_certificate_file", KeyKind.Special, t => t.ClientCertificateFile),
            Key<UnderclusterTlsOptions, string?>("client_key_file", KeyKind.Special, t => t.ClientKeyFile),
            Key<UnderclusterTlsOptions, bool>("insecure_skip_verify", KeyKind.Boolean, t => t.InsecureSkipVerify, (t, v) => t with { InsecureSkipVerify = v }),
        ],
    };

    public static ConfigurationSection Undercluster { get; } = new()
    {
        Defaults = new UnderclusterOptions { Name = "", Url = new Uri("http://default") },
        Keys =
        [
            Key<UnderclusterOptions, string>("name", KeyKind.Special, u => u.Name) with { Required = true },
            Key<UnderclusterOptions, Uri>("url", KeyKind.Special, u => u.Url) with { Required = true },
            Key<UnderclusterOptions, TimeSpan>("timeout", KeyKind.PositiveDuration, u => u.Timeout, (u, v) => u with { Timeout = v }),
            ConfigurationKey.Nested<UnderclusterOptions>("auth", Auth, u => u.Auth),
            ConfigurationKey.Nested<UnderclusterOptions>("tls", UnderclusterTls, u => u.Tls),
            Key<UnderclusterOptions, int>("replication_factor_min", KeyKind.Integer, u => u.ReplicationFactorMin, (u, v) => u with { ReplicationFactorMin = v }),
            Key<UnderclusterOptions, int>("replication_factor_max", KeyKind.Integer, u => u.ReplicationFactorMax, (u, v) => u with { ReplicationFactorMax = v }),
            Key<UnderclusterOptions, double>("weight", KeyKind.Number, u => u.Weight, (u, v) => u with { Weight = v }),
            Key<UnderclusterOptions, IReadOnlyDictionary<string, string>>("tags", KeyKind.Tags, u => u.Tags, (u, v) => u with { Tags = v }),
            Key<UnderclusterOptions, bool>("required", KeyKind.Boolean, u => u.Required, (u, v) => u with { Required = v }),
            Key<UnderclusterOptions, bool>("sole_gateway", KeyKind.Boolean, u => u.SoleGateway, (u, v) => u with { SoleGateway = v }),
            Key<UnderclusterOptions, Uri?>("ipfs_api", KeyKind.Special, u => u.IpfsApi),
        ],
    };

    public static ConfigurationSection Health { get; } = new()
    {
        Defaults = new HealthOptions(),
        Keys =
        [
            Key<HealthOptions, TimeSpan>("probe_interval", KeyKind.PositiveDuration, h => h.ProbeInterval, (h, v) => h with { ProbeInterval = v }),
            Key<HealthOptions, TimeSpan>("ready_within", KeyKind.PositiveDuration, h => h.ReadyWithin, (h, v) => h with { ReadyWithin = v }),
        ],
    };

    public static ConfigurationSection PinPath { get; } = new()
    {
        Defaults = new PinPathOptions(),
        Keys =
        [
            Key<PinPathOptions, PinWaitMode>("pin_wait", KeyKind.Choice(PinWaitNames), p => p.PinWait, (p, v) => p with { PinWait = v }),
            Key<PinPathOptions, PinnedWhen>("pinned_when", KeyKind.PinnedWhenRule, p => p.PinnedWhen, (p, v) => p with { PinnedWhen = v }),
            Key<PinPathOptions, TimeSpan>("wait_limit", KeyKind.Duration, p => p.WaitLimit, (p, v) => p with { WaitLimit = v }),
            Key<PinPathOptions, TimeSpan>("poll_interval", KeyKind.Duration, p => p.PollInterval, (p, v) => p with { PollInterval = v }),
            Key<PinPathOptions, int>("poll_batch_size", KeyKind.Integer, p => p.PollBatchSize, (p, v) => p with { PollBatchSize = v }),
            Key<PinPathOptions, int>("poll_batch_chars", KeyKind.Integer, p => p.PollBatchChars, (p, v) => p with { PollBatchChars = v }),
            Key<PinPathOptions, TimeSpan>("unreachable_after", KeyKind.Duration, p => p.UnreachableAfter, (p, v) => p with { UnreachableAfter = v }),
            Key<PinPathOptions, int>("replication_min", KeyKind.Integer, p => p.ReplicationMin, (p, v) => p with { ReplicationMin = v }),
            Key<PinPathOptions, int>("replication_max", KeyKind.Integer, p => p.ReplicationMax, (p, v) => p with { ReplicationMax = v }),
            Key<PinPathOptions, string>("metadata_prefix", KeyKind.Text, p => p.MetadataPrefix, (p, v) => p with { MetadataPrefix = v }),
            Key<PinPathOptions, TimeSpan>("unpin_recheck_delay", KeyKind.Duration, p => p.UnpinRecheckDelay, (p, v) => p with { UnpinRecheckDelay = v }),
            Key<PinPathOptions, TimeSpan>("addresses_cache", KeyKind.Duration, p => p.AddressesCache, (p, v) => p with { AddressesCache = v }),
            Key<PinPathOptions, int>("max_addresses", KeyKind.Integer, p => p.MaxAddresses, (p, v) => p with { MaxAddresses = v }),
        ],
    };

    public static ConfigurationSection Forward { get; } = new()
    {
        Defaults = new ForwardOptions(),
        Keys = [Key<ForwardOptions, IReadOnlyList<string>>("commands", KeyKind.List, f => f.Commands, (f, v) => f with { Commands = v })],
    };

    public static ConfigurationSection KuboRpc { get; } = new()
    {
        Defaults = new KuboRpcOptions(),
        Keys =
        [
            Key<KuboRpcOptions, TimeSpan>("progress_interval", KeyKind.Duration, k => k.ProgressInterval, (k, v) => k with { ProgressInterval = v }),
            ConfigurationKey.Nested<KuboRpcOptions>("forward", Forward, k => k.Forward),
            Key<KuboRpcOptions, IReadOnlyDictionary<string, IReadOnlyList<string>>>("http_headers", KeyKind.HeaderMap, k => k.HttpHeaders, (k, v) => k with { HttpHeaders = v }),
            Key<KuboRpcOptions, IReadOnlyList<string>>("extract_headers_extra", KeyKind.List, k => k.ExtractHeadersExtra, (k, v) => k with { ExtractHeadersExtra = v }),
            Key<KuboRpcOptions, TimeSpan>("extract_headers_ttl", KeyKind.Duration, k => k.ExtractHeadersTtl, (k, v) => k with { ExtractHeadersTtl = v }),
            Key<KuboRpcOptions, IReadOnlyList<KuboAuthorization>>("authorizations", KeyKind.AuthorizationMap, k => k.Authorizations),
            Key<KuboRpcOptions, IReadOnlyList<string>>("unauthenticated_listen", KeyKind.List, k => k.UnauthenticatedListen),
        ],
    };

    public static ConfigurationSection AdminAuth { get; } = new()
    {
        // The token's source is shown instead of token_env / token_file (EffectiveConfiguration).
        Defaults = new AdminAuthOptions { Token = "", TokenSource = "" },
        Keys =
        [
            Key<AdminAuthOptions, string?>("token_env", KeyKind.Special, _ => null),
            Key<AdminAuthOptions, string?>("token_file", KeyKind.Special, _ => null),
        ],
        RejectedKeys = new Dictionary<string, string> { ["token"] = ConfigurationSchema.InlineSecretMessage("token") },
    };

    public static ConfigurationSection Tls { get; } = new()
    {
        Defaults = new TlsOptions { CertFile = "", KeyFile = "" },
        Keys =
        [
            Key<TlsOptions, string>("cert_file", KeyKind.Special, t => t.CertFile) with { Required = true },
            Key<TlsOptions, string>("key_file", KeyKind.Special, t => t.KeyFile) with { Required = true },
        ],
    };

    public static ConfigurationSection Placement { get; } = new()
    {
        Defaults = new PlacementOptions(),
        Keys =
        [
            Key<PlacementOptions, PlacementPolicy>("policy", KeyKind.Choice(PolicyNames), p => p.Policy, (p, v) => p with { Policy = v }),
            Key<PlacementOptions, int>("quorum", KeyKind.Integer, p => p.Quorum, (p, v) => p with { Quorum = v }),
            Key<PlacementOptions, int>("copies", KeyKind.Integer, p => p.Copies, (p, v) => p with { Copies = v }),
            Key<PlacementOptions, RepoStatUnreachable>("repo_stat_unreachable", KeyKind.Choice(RepoStatNames), p => p.RepoStatUnreachable, (p, v) => p with { RepoStatUnreachable = v }),
        ],
    };

    public static IReadOnlyDictionary<string, OtlpProtocol> OtlpProtocolNames { get; } = new Dictionary<string, OtlpProtocol>(StringComparer.Ordinal)
    {
        ["grpc"] = OtlpProtocol.Grpc,
        ["http/protobuf"] = OtlpProtocol.HttpProtobuf,
    };

    public static ConfigurationSection Otlp { get; } = new()
    {
        Defaults = new OtlpOptions(),
        Keys =
        [
            Key<OtlpOptions, Uri?>("endpoint", KeyKind.HttpUrl, o => o.Endpoint, (o, v) => o with { Endpoint = v }),
            Key<OtlpOptions, OtlpProtocol>("protocol", KeyKind.Choice(OtlpProtocolNames), o => o.Protocol, (o, v) => o with { Protocol = v }),
        ],
    };

    public static ConfigurationSection Telemetry { get; } = new()
    {
        Defaults = new TelemetryOptions(),
        Keys =
        [
            Key<TelemetryOptions, string>("service_name", KeyKind.Text, t => t.ServiceName, (t, v) => t with { ServiceName = v }),
            ConfigurationKey.Nested<TelemetryOptions>("otlp", Otlp, t => t.Otlp),
        ],
    };

    public static ConfigurationSection Root { get; } = Named(new()
    {
        Defaults = new GatewayOptions(),
        Keys =
        [
            Key<GatewayOptions, string>("listen", KeyKind.Special, o => o.Listen),
            Key<GatewayOptions, string>("admin_listen", KeyKind.Special, o => o.AdminListen),
            ConfigurationKey.Nested<GatewayOptions>("admin_auth", AdminAuth, o => o.AdminAuth),
            ConfigurationKey.Nested<GatewayOptions>("tls", Tls, o => o.Tls),
            Key<GatewayOptions, string>("identity_file", KeyKind.Special, o => o.IdentityFile),
            ConfigurationKey.Nested<GatewayOptions>("underclusters", Undercluster, o => o.Underclusters, many: true),
            ConfigurationKey.Nested<GatewayOptions>("health", Health, o => o.Health),
            ConfigurationKey.Nested<GatewayOptions>("pin_path", PinPath, o => o.PinPath),
            ConfigurationKey.Nested<GatewayOptions>("kubo_rpc", KuboRpc, o => o.KuboRpc),
            ConfigurationKey.Nested<GatewayOptions>("placement", Placement, o => o.Placement),
            ConfigurationKey.Nested<GatewayOptions>("telemetry", Telemetry, o => o.Telemetry),
            Key<GatewayOptions, TimeSpan>("shutdown_timeout", KeyKind.NonNegativeDuration, o => o.ShutdownTimeout, (o, v) => o with { ShutdownTimeout = v }),
        ],
    }, "");

    /// <summary>Every key that holds a value (not a section), depth first in file order.</summary>
    public static IEnumerable<ConfigurationKey> Leaves(ConfigurationSection section) =>
        section.Keys.SelectMany(k => k.Child is { } child ? Leaves(child) : [k]);

    private static ConfigurationKey Key<TRecord, TValue>(string name, KeyKind kind, Func<TRecord, TValue> get, Func<TRecord, TValue, TRecord>? set = null)
        where TRecord : class => ConfigurationKey.Of(name, kind, get, set);

    /// <summary>Gives every section and key its path, once the tree is built.</summary>
    private static ConfigurationSection Named(ConfigurationSection section, string path)
    {
        section.Path = path;
        foreach (var key in section.Keys)
        {
            key.Section = section;
            key.Path = section.KeyPath(key.Name);
            if (key.Child is { } child)
            {
                Named(child, key.Many ? key.Path + "[i]" : key.Path);
            }
        }

        return section;
    }
}
