namespace CompositeGateway.Configuration;

internal enum SchemaKind
{
    Scalar,
    Mapping,
    Sequence,
}

/// <summary>The shape of one YAML node: which keys a mapping may hold, what a list holds.</summary>
internal sealed record SchemaNode(SchemaKind Kind)
{
    public IReadOnlyDictionary<string, SchemaNode> Keys { get; init; } = new Dictionary<string, SchemaNode>();

    /// <summary>Keys that are refused with a specific explanation rather than "unknown key".</summary>
    public IReadOnlyDictionary<string, string> RejectedKeys { get; init; } = new Dictionary<string, string>();

    public SchemaNode? Item { get; init; }

    /// <summary>A mapping whose keys are the user's own (HTTP header names): any key, each value of this shape.</summary>
    public SchemaNode? AnyKey { get; init; }
}

/// <summary>
/// Every key <c>gateway.yaml</c> may contain. Both the file reader and the environment overrides
/// walk this tree, so a key unknown to one is unknown to the other.
/// </summary>
internal static class ConfigurationSchema
{
    public const string InlinePasswordMessage =
        "inline passwords are not allowed: put the secret in an environment variable and write password_env: VARIABLE_NAME, "
        + "or in a file and write password_file: path/to/file (relative to this config file)";

    private static readonly SchemaNode Value = new(SchemaKind.Scalar);

    /// <summary>A list of plain values; from the environment, one comma-separated value.</summary>
    private static readonly SchemaNode ValueList = new(SchemaKind.Sequence) { Item = Value };

    public static SchemaNode Auth { get; } = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode> { ["username"] = Value, ["password_env"] = Value, ["password_file"] = Value },
        RejectedKeys = new Dictionary<string, string> { ["password"] = InlinePasswordMessage },
    };

    public static SchemaNode Undercluster { get; } = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode>
        {
            ["name"] = Value,
            ["url"] = Value,
            ["timeout"] = Value,
            ["auth"] = Auth,
            ["replication_factor_min"] = Value,
            ["replication_factor_max"] = Value,
            ["weight"] = Value,
            ["tags"] = new(SchemaKind.Sequence) { Item = Value },
            ["required"] = Value,
            ["ipfs_api"] = Value,
        },
    };

    public static SchemaNode Health { get; } = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode> { ["probe_interval"] = Value, ["ready_within"] = Value },
    };

    public static SchemaNode PinPath { get; } = Section(
        "pin_wait", "pinned_when", "wait_limit", "poll_interval", "poll_batch_size", "poll_batch_chars", "unreachable_after",
        "replication_min", "replication_max", "metadata_prefix", "unpin_recheck_delay", "addresses_cache", "max_addresses");

    public static SchemaNode KuboRpc { get; } = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode>
        {
            ["progress_interval"] = Value,
            ["forward"] = new(SchemaKind.Mapping) { Keys = new Dictionary<string, SchemaNode> { ["commands"] = ValueList } },
            ["http_headers"] = new(SchemaKind.Mapping) { AnyKey = ValueList },
            ["extract_headers_extra"] = ValueList,
            ["extract_headers_ttl"] = Value,
        },
    };

    public static SchemaNode Placement { get; } = Section("policy", "quorum", "copies", "repo_stat_unreachable");

    public static SchemaNode Root { get; } = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode>
        {
            ["listen"] = Value,
            ["admin_listen"] = Value,
            ["identity_file"] = Value,
            ["underclusters"] = new(SchemaKind.Sequence) { Item = Undercluster },
            ["health"] = Health,
            ["pin_path"] = PinPath,
            ["kubo_rpc"] = KuboRpc,
            ["placement"] = Placement,
            ["shutdown_timeout"] = Value,
        },
    };

    /// <summary>A mapping of plain values, keys in the order they are listed to the user.</summary>
    private static SchemaNode Section(params string[] keys) => new(SchemaKind.Mapping)
    {
        Keys = keys.ToDictionary(k => k, _ => Value),
    };
}
