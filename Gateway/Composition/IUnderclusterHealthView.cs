using CompositeGateway.Admin;

namespace CompositeGateway.Composition;

/// <summary>
/// What placement needs to know of an undercluster's health: whether new pins may go there, and whether a
/// failed answer from it is excused (it is known to be down, so the policy places around it). Fed by the
/// background <c>GET /id</c> probe (<see cref="UnderclusterHealth"/>).
/// </summary>
internal interface IUnderclusterHealthView
{
    bool IsHealthy(string undercluster);
}

/// <summary>The probe-fed registry; an inception-flagged undercluster is never healthy (its state is not <c>up</c>).</summary>
internal sealed class ProbedHealthView(UnderclusterHealth health) : IUnderclusterHealthView
{
    public bool IsHealthy(string undercluster) => health.IsHealthy(undercluster);
}

/// <summary>No probe registered (tools, unit tests of the pin path): every undercluster counts as healthy, so failures are never excused.</summary>
internal sealed class AssumeHealthyView : IUnderclusterHealthView
{
    public static AssumeHealthyView Instance { get; } = new();

    public bool IsHealthy(string undercluster) => true;
}
