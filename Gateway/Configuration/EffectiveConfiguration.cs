namespace CompositeGateway.Configuration;

/// <summary>
/// Prints validated options back as YAML (what <c>check-config</c> shows): every key of <see cref="ConfigurationKeys"/>
/// with its default filled in, paths absolute, environment overrides applied, and secrets replaced by where they come from.
/// </summary>
internal static class EffectiveConfiguration
{
    /// <param name="options">Validated options.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="identityNote">Said after identity_file, e.g. its peer ID.</param>
    public static void Write(GatewayOptions options, TextWriter output, string? identityNote = null)
    {
        output.WriteLine($"# Effective configuration{(options.ConfigFile is { } file ? $" of {file}" : "")}, with {EnvironmentOverrides.Prefix}* overrides applied.");
        WriteSection(ConfigurationKeys.Root, options, "", "", output, identityNote);
    }

    /// <summary>One mapping; its first line is indented by <c>first</c> (<c>"  - "</c> for a list item), the rest by <c>indent</c>.</summary>
    private static void WriteSection(ConfigurationSection section, object record, string first, string indent, TextWriter output, string? identityNote)
    {
        foreach (var key in section.Keys)
        {
            var value = key.Get(record);
            if (value is null)
            {
                // Unset optional values (ipfs_api, auth) and password_env / password_file, whose source is shown below.
                continue;
            }

            var prefix = first;
            first = indent;
            if (key.Child is { } child)
            {
                output.WriteLine($"{prefix}{key.Name}:");
                foreach (var item in key.Many ? (IEnumerable<object>)value : [value])
                {
                    WriteSection(child, item, key.Many ? indent + "  - " : indent + "  ", indent + "    "[..(key.Many ? 4 : 2)], output, null);
                }

                continue;
            }

            var note = key.Path == "identity_file" && identityNote is not null ? "  # " + identityNote : "";
            output.WriteLine($"{prefix}{key.Name}: {key.Kind.Yaml(value, key.Kind.Plain(value))}{note}");
        }

        if (record is ClusterAuthOptions auth)
        {
            output.WriteLine($"{indent}password: <from {auth.PasswordSource}>");
        }

        if (record is AdminAuthOptions admin)
        {
            output.WriteLine($"{indent}token: <from {admin.TokenSource}>");
        }
    }
}
