namespace CompositeGateway.Composition;

/// <summary><see cref="ISpaceReporter"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedSpaceReporter(ISpaceReporter inner, InceptionGuard guard) : ISpaceReporter
{
    public async Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken) =>
        await guard.RefusalAsync(cancellationToken) is { } refusal ? SpaceReportResult.Failed(refusal) : await inner.GetSpaceAsync(cancellationToken);
}
