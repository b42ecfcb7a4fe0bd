using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Underclusters;

/// <summary>
/// The one read side of undercluster health, fed by the background <c>GET /id</c> probe
/// (<see cref="UnderclusterHealthMonitor"/> into <see cref="UnderclusterHealth"/>). Placement asks whether new pins may
/// go to an undercluster and whether a failed answer from it is excused; the inception guard asks whether calls must
/// be refused; <c>/ready</c> and the <c>gateway_undercluster_*</c> gauges read the snapshot.
/// </summary>
internal interface IUnderclusterHealthView
{
    /// <summary>Every undercluster, in configuration order.</summary>
    IReadOnlyList<UnderclusterHealthSnapshot> Snapshot();

    /// <summary>Whether calls to this undercluster are worth making (see <see cref="UnderclusterHealth.IsHealthy"/>).</summary>
    bool IsHealthy(string undercluster);

    /// <summary>Why calls to <paramref name="undercluster"/> must not be made at all (inception), whatever its reachability.</summary>
    bool TryGetRefusal(string undercluster, [NotNullWhen(true)] out string? message);

    /// <summary>
    /// Completes once a probe of <paramref name="undercluster"/> has ended (any outcome): before that, nobody knows
    /// whether calls to it would loop back here (inception). Unknown names complete at once.
    /// </summary>
    Task WhenFirstProbedAsync(string undercluster, CancellationToken cancellationToken);
}
