namespace CompositeGateway.Configuration;

/// <summary>
/// One thing wrong with the configuration, located by YAML key path (e.g. <c>underclusters[1].url</c>)
/// and by line in the file, or by the environment variable that supplied the value.
/// Problems are values: the loader returns all of them at once instead of throwing at the first.
/// </summary>
internal sealed record ConfigurationProblem(string KeyPath, int? Line, string Message)
{
    /// <summary>Set when the offending value came from an environment override rather than the file.</summary>
    public string? EnvironmentVariable { get; init; }

    public override string ToString()
    {
        var where = (Line, EnvironmentVariable) switch
        {
            (_, { } variable) => $" (from {variable})",
            ({ } line, null) => $" (line {line})",
            _ => "",
        };
        return KeyPath.Length == 0 ? $"{Message}{where}" : $"{KeyPath}{where}: {Message}";
    }
}
