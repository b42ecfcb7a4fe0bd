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

    /// <summary>One entry of <c>kubo_rpc.authorizations</c>; Kubo's inline <c>AuthSecret</c> is refused (docs/development/style.md §5).</summary>
    public static readonly SchemaNode Authorization = new(SchemaKind.Mapping)
    {
        Keys = new Dictionary<string, SchemaNode> { ["secret_env"] = Value, ["secret_file"] = Value, ["allowed_paths"] = ValueList },
        RejectedKeys = new Dictionary<string, string> { ["secret"] = InlineSecretMessage("secret"), ["auth_secret"] = InlineSecretMessage("secret") },
    };

    /// <summary>The refusal of an inline secret, pointing at its <c>_env</c> / <c>_file</c> keys.</summary>
    public static string InlineSecretMessage(string key) =>
        $"inline secrets are not allowed: put the secret in an environment variable and write {key}_env: VARIABLE_NAME, "
        + $"or in a file and write {key}_file: path/to/file (relative to this config file)";

    public static SchemaNode Root { get; } = Build(ConfigurationKeys.Root);

    public static SchemaNode Undercluster { get; } = Root.Keys["underclusters"].Item!;

    public static SchemaNode Auth { get; } = Undercluster.Keys["auth"];

    public static SchemaNode UnderclusterTls { get; } = Undercluster.Keys["tls"];

    public static SchemaNode Health { get; } = Root.Keys["health"];

    public static SchemaNode PinPath { get; } = Root.Keys["pin_path"];

    public static SchemaNode KuboRpc { get; } = Root.Keys["kubo_rpc"];

    public static SchemaNode Placement { get; } = Root.Keys["placement"];

    public static SchemaNode Telemetry { get; } = Root.Keys["telemetry"];

    private static SchemaNode Build(ConfigurationSection section) => new(SchemaKind.Mapping)
    {
        Keys = section.Keys.ToDictionary(k => k.Name, k => k switch
        {
            { Child: { } child, Many: true } => new SchemaNode(SchemaKind.Sequence) { Item = Build(child) },
            { Child: { } child } => Build(child),
            { Kind: var kind } when ReferenceEquals(kind, KeyKind.AuthorizationMap) => new SchemaNode(SchemaKind.Mapping) { AnyKey = Authorization },
            { Kind.IsMap: true } => new SchemaNode(SchemaKind.Mapping) { AnyKey = ValueList },
            { Kind.IsList: true } => ValueList,
            _ => Value,
        }),
        RejectedKeys = section.RejectedKeys,
    };
}
