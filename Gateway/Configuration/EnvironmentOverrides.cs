using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace CompositeGateway.Configuration;

/// <summary>
/// Applies <c>COMPOSITE_GATEWAY_*</c> environment variables onto the parsed YAML before validation, so an
/// override is checked exactly like a value from the file. The variable name is the key path in upper case
/// with <c>_</c> between parts and list indexes as numbers: <c>COMPOSITE_GATEWAY_ADMIN_LISTEN</c>,
/// <c>COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVAL</c>, <c>COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL</c>.
/// Keys themselves contain <c>_</c>, so the name is split by walking <see cref="ConfigurationSchema"/>
/// (longest known key first) rather than by splitting on every underscore.
/// An index past the end of the list adds items, so a whole undercluster can come from the environment. A list of plain
/// values is one variable, comma-separated: <c>COMPOSITE_GATEWAY_KUBO_RPC_FORWARD_COMMANDS=cat,block/get</c>.
/// </summary>
internal static class EnvironmentOverrides
{
    public const string Prefix = "COMPOSITE_GATEWAY_";

    /// <summary>Upper bound on list indexes, so a stray variable cannot make us allocate a huge list.</summary>
    private const int MaxIndex = 999;

    public static void Apply(
        YamlMappingNode root,
        IReadOnlyDictionary<string, string> environment,
        Dictionary<YamlNode, string> origins,
        List<ConfigurationProblem> problems)
    {
        foreach (var (variable, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (variable.StartsWith(Prefix, StringComparison.Ordinal))
            {
                ApplyOne(root, variable, value, origins, problems);
            }
        }
    }

    private static void ApplyOne(YamlMappingNode root, string variable, string value, Dictionary<YamlNode, string> origins, List<ConfigurationProblem> problems)
    {
        var rest = variable[Prefix.Length..];
        var schema = ConfigurationSchema.Root;
        YamlNode node = root;
        var path = "";
        while (true)
        {
            if (schema.Kind == SchemaKind.Sequence)
            {
                var sequence = (YamlSequenceNode)node;
                var underscore = rest.IndexOf('_', StringComparison.Ordinal);
                var indexText = underscore < 0 ? rest : rest[..underscore];
                if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index > MaxIndex || underscore < 0)
                {
                    problems.Add(Unknown(variable, $"expected {Prefix}{EnvName(path)}_<index>_<key>, e.g. {Prefix}{EnvName(path)}_0_URL"));
                    return;
                }

                while (sequence.Children.Count <= index)
                {
                    var added = new YamlMappingNode();
                    origins[added] = variable;
                    sequence.Children.Add(added);
                }

                node = sequence.Children[index];
                path = $"{path}[{index}]";
                schema = schema.Item!;
                rest = rest[(underscore + 1)..];
                if (node is not YamlMappingNode)
                {
                    problems.Add(new ConfigurationProblem(path, null, "cannot be overridden from the environment: the file gives it a value that is not a mapping") { EnvironmentVariable = variable });
                    return;
                }

                continue;
            }

            var mapping = (YamlMappingNode)node;
            if (schema.AnyKey is not null)
            {
                // Header names hold '-' and mixed case, which environment variable names cannot carry.
                problems.Add(new ConfigurationProblem(path, null, "cannot be set from the environment (its keys are header names): write it in the file") { EnvironmentVariable = variable });
                return;
            }

            var key = schema.Keys.Keys
                .Where(k => rest == k.ToUpperInvariant() || rest.StartsWith(k.ToUpperInvariant() + "_", StringComparison.Ordinal))
                .OrderByDescending(k => k.Length)
                .FirstOrDefault();
            var childPath = path.Length == 0 ? (key ?? rest.ToLowerInvariant()) : $"{path}.{key ?? rest.ToLowerInvariant()}";
            if (key is null)
            {
                if (schema.RejectedKeys.TryGetValue(rest.ToLowerInvariant(), out var rejection))
                {
                    problems.Add(new ConfigurationProblem(childPath, null, rejection) { EnvironmentVariable = variable });
                    return;
                }

                var closest = KeySuggestion.Closest(rest, schema.Keys.Keys.Select(k => k.ToUpperInvariant()));
                var prefix = Prefix + (path.Length == 0 ? "" : EnvName(path) + "_");
                problems.Add(Unknown(variable, closest is null
                    ? $"known names here: {string.Join(", ", schema.Keys.Keys.Select(k => prefix + k.ToUpperInvariant()))}"
                    : $"did you mean {prefix}{closest}?"));
                return;
            }

            var childSchema = schema.Keys[key];
            var keyNode = new YamlScalarNode(key);
            if (rest == key.ToUpperInvariant() && childSchema is { Kind: SchemaKind.Sequence, Item.Kind: SchemaKind.Scalar })
            {
                // A list of plain values (kubo_rpc.forward.commands) is one comma-separated variable.
                var list = new YamlSequenceNode();
                origins[list] = variable;
                foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    var scalar = new YamlScalarNode(item);
                    origins[scalar] = variable;
                    list.Children.Add(scalar);
                }

                mapping.Children[keyNode] = list;
                return;
            }

            if (rest == key.ToUpperInvariant())
            {
                if (childSchema.Kind != SchemaKind.Scalar)
                {
                    problems.Add(new ConfigurationProblem(childPath, null,
                        $"is a {(childSchema.Kind == SchemaKind.Sequence ? "list" : "section")}: override its keys one by one, e.g. {Prefix}{EnvName(childPath)}_{(childSchema.Kind == SchemaKind.Sequence ? "0_URL" : childSchema.Keys.Keys.First().ToUpperInvariant())}")
                    { EnvironmentVariable = variable });
                    return;
                }

                var scalar = new YamlScalarNode(value);
                origins[scalar] = variable;
                mapping.Children[keyNode] = scalar;
                return;
            }

            if (!mapping.Children.TryGetValue(keyNode, out var child) || IsNull(child))
            {
                child = childSchema.Kind == SchemaKind.Sequence ? new YamlSequenceNode() : new YamlMappingNode();
                origins[child] = variable;
                mapping.Children[keyNode] = child;
            }
            else if (child.NodeType != (childSchema.Kind == SchemaKind.Sequence ? YamlNodeType.Sequence : YamlNodeType.Mapping))
            {
                problems.Add(new ConfigurationProblem(childPath, null, "cannot be overridden from the environment: the file gives it a value of the wrong kind") { EnvironmentVariable = variable });
                return;
            }

            node = child;
            schema = childSchema;
            path = childPath;
            rest = rest[(key.Length + 1)..];
        }
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode scalar && GatewayConfigurationLoader.IsNullScalar(scalar);

    private static string EnvName(string path) => path.Replace("[", "_", StringComparison.Ordinal).Replace("].", "_", StringComparison.Ordinal)
        .Replace("]", "", StringComparison.Ordinal).Replace('.', '_').ToUpperInvariant();

    private static ConfigurationProblem Unknown(string variable, string hint) => new(variable, null, $"unknown setting; {hint}");
}
