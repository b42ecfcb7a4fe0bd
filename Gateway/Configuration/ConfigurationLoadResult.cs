using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Configuration;

/// <summary>Either validated options or every problem found; never both, never an exception for a user mistake.</summary>
internal sealed record ConfigurationLoadResult(GatewayOptions? Options, IReadOnlyList<ConfigurationProblem> Problems)
{
    [MemberNotNullWhen(true, nameof(Options))]
    public bool Succeeded => Options is not null;

    public static ConfigurationLoadResult Failed(params IReadOnlyList<ConfigurationProblem> problems) => new(null, problems);
}
