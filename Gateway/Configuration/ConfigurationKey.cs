namespace CompositeGateway.Configuration;

/// <summary>
/// One key of <c>gateway.yaml</c>, written once: its name, how its value is written, the record property it binds to
/// (<see cref="Get"/>, <see cref="Set"/>) and from that its default. The schema, the loader, the environment
/// overrides, <c>check-config</c> and the docs test all read it from <see cref="ConfigurationKeys"/>.
/// </summary>
internal sealed record ConfigurationKey
{
    public required string Name { get; init; }

    public required KeyKind Kind { get; init; }

    /// <summary>Reads the value from the section's record.</summary>
    public required Func<object, object?> Get { get; init; }

    /// <summary>A copy of the section's record with this value; null when the loader binds it by hand.</summary>
    public Func<object, object, object>? Set { get; init; }

    /// <summary>A nested section (<c>health</c>), or with <see cref="Many"/> a list of them (<c>underclusters</c>).</summary>
    public ConfigurationSection? Child { get; init; }

    /// <summary>The value is a list of <see cref="Child"/> mappings.</summary>
    public bool Many { get; init; }

    /// <summary>No default: the key must be written (an undercluster's name and url).</summary>
    public bool Required { get; init; }

    /// <summary>Full path as docs/configuration.md writes it: <c>underclusters[i].tags[i]</c>.</summary>
    public string Path { get; internal set; } = "";

    /// <summary>The section this key belongs to.</summary>
    public ConfigurationSection Section { get; internal set; } = null!;

    /// <summary>Null when the record's default is "none".</summary>
    public object? Default => Required ? null : Get(Section.Defaults);

    /// <summary>The row name in docs/configuration.md: a list's items are <c>key[i]</c>.</summary>
    public string DocumentedPath => Kind.IsList ? Path + "[i]" : Path;

    /// <summary>
    /// The <c>COMPOSITE_GATEWAY_*</c> variable, the path in upper case with <c>_</c> between parts (list indexes as
    /// <c>&lt;i&gt;</c>); null for a mapping of the user's own keys (header names cannot be variable names).
    /// </summary>
    public string? EnvironmentVariable => Kind.IsMap ? null
        : EnvironmentOverrides.Prefix + Path.Replace("[i].", "_<i>_", StringComparison.Ordinal).Replace('.', '_').ToUpperInvariant()
            .Replace("<I>", "<i>", StringComparison.Ordinal);

    public static ConfigurationKey Of<TRecord, TValue>(string name, KeyKind kind, Func<TRecord, TValue> get, Func<TRecord, TValue, TRecord>? set = null)
        where TRecord : class => new()
        {
            Name = name,
            Kind = kind,
            Get = record => get((TRecord)record),
            Set = set is null ? null : (record, value) => set((TRecord)record, (TValue)value),
        };

    public static ConfigurationKey Nested<TRecord>(string name, ConfigurationSection child, Func<TRecord, object?> get, bool many = false)
        where TRecord : class => new() { Name = name, Kind = KeyKind.Special, Get = record => get((TRecord)record), Child = child, Many = many };
}

/// <summary>A mapping of keys in <c>gateway.yaml</c> bound to one options record.</summary>
internal sealed class ConfigurationSection
{
    /// <summary>Path of the section (<c>""</c> for the file itself, <c>underclusters[i]</c> for an undercluster).</summary>
    public string Path { get; internal set; } = "";

    /// <summary>The record with every default, to read defaults from.</summary>
    public required object Defaults { get; init; }

    public required IReadOnlyList<ConfigurationKey> Keys { get; init; }

    /// <summary>Keys refused with a specific explanation rather than "unknown key".</summary>
    public IReadOnlyDictionary<string, string> RejectedKeys { get; init; } = new Dictionary<string, string>();

    public ConfigurationKey this[string name] => Keys.First(k => k.Name == name);

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";
}
