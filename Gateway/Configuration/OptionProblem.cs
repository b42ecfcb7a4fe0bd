namespace CompositeGateway.Configuration;

/// <summary>
/// A rule broken by an options record, found by the record's own <c>Validate()</c> so the rule has one home
/// whether the record came from <c>gateway.yaml</c> or from code. <see cref="Key"/> is relative to the record's
/// YAML section; the loader turns it into a key path and line.
/// </summary>
internal sealed record OptionProblem(string Key, string Message)
{
    /// <summary>
    /// Another key the rule is about (replication_max when replication_min exceeds it): the loader blames
    /// <see cref="Key"/> if the file or environment set it, else this one if set, else <see cref="Key"/> at its section.
    /// </summary>
    public string? RelatedKey { get; init; }

    public override string ToString() => $"{Key}: {Message}";
}
