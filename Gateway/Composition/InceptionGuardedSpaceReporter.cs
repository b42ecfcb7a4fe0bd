namespace CompositeGateway.Composition;

/// <summary><see cref="ISpaceReporter"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedSpaceReporter(ISpaceReporter inner, InceptionGuard guard) : ISpaceReporter
{
    public Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(SpaceReportResult.Failed(refusal)) : inner.GetSpaceAsync(cancellationToken);
}
