using System.Diagnostics.CodeAnalysis;

namespace CompositeGateway.Underclusters;

/// <summary>No probe registered (tools, unit tests of the pin path): every undercluster counts as healthy, so failures are never excused.</summary>
internal sealed class AssumeHealthyView : IUnderclusterHealthView
{
    public static AssumeHealthyView Instance { get; } = new();

    public IReadOnlyList<UnderclusterHealthSnapshot> Snapshot() => [];

    public bool IsHealthy(string undercluster) => true;

    public bool TryGetRefusal(string undercluster, [NotNullWhen(true)] out string? message)
    {
        message = null;
        return false;
    }

    public Task WhenFirstProbedAsync(string undercluster, CancellationToken cancellationToken) => Task.CompletedTask;
}
