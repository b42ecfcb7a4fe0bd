namespace CompositeGateway.Clusters;

/// <summary>
/// A failure on its way from where it happened (an undercluster call, the composition layer's rules) up to the one
/// place that writes it as a Kubo error (<c>KuboFailure.FromGateway</c>, then <c>KuboErrorWriter</c>): its kind, the
/// underclusters involved and the words an operator can act on, never flattened on the way (docs/development/style.md §6).
/// </summary>
/// <param name="Message">Shown to the overcluster peer as the Kubo error <c>Message</c>.</param>
/// <param name="Transient">Whether retrying later may succeed (undercluster unreachable, timeout) as opposed to a refusal.</param>
internal sealed record GatewayFailure(string Message, bool Transient)
{
    /// <summary>What went wrong; <see cref="GatewayFailureKind.Undercluster"/> has the call's own failure in <see cref="Cause"/>.</summary>
    public GatewayFailureKind Kind { get; init; } = GatewayFailureKind.Failed;

    /// <summary>The underclusters whose answers (or silence) make this failure, in configuration order where known.</summary>
    public IReadOnlyList<string> Underclusters { get; init; } = [];

    /// <summary>For <see cref="GatewayFailureKind.Undercluster"/>: the failed call as the client saw it.</summary>
    public ClusterFailure? Cause { get; init; }

    /// <summary>The one place where an undercluster failure becomes words for the overcluster and operators.</summary>
    public static GatewayFailure From(ClusterFailure failure) =>
        new(ClusterFailureMessages.Describe(failure), IsTransient(failure))
        {
            Kind = GatewayFailureKind.Undercluster,
            Underclusters = [failure.Cluster],
            Cause = failure,
        };

    /// <summary>Several underclusters' failures as one: the kind they share (else <see cref="GatewayFailureKind.Failed"/>), transient only if all are.</summary>
    public static GatewayFailure Combine(string message, IReadOnlyList<GatewayFailure> failures) =>
        new(message, failures.All(f => f.Transient))
        {
            Kind = failures.Select(f => f.Kind).Distinct().Count() == 1 ? failures[0].Kind : GatewayFailureKind.Failed,
            Underclusters = [.. failures.SelectMany(f => f.Underclusters).Distinct(StringComparer.Ordinal)],
        };

    public static bool IsTransient(ClusterFailure failure) => failure.Kind switch
    {
        ClusterFailureKind.InvalidRequest or ClusterFailureKind.Unauthorized or ClusterFailureKind.BadBody => false,
        ClusterFailureKind.HttpStatus => failure.StatusCode is null || (int)failure.StatusCode >= 500,
        _ => true,
    };
}
