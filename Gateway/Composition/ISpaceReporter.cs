namespace CompositeGateway.Composition;

/// <summary>
/// What <c>repo/stat</c> reports: how much this gateway stores and may store. The overcluster's disk
/// informer allocates by <c>StorageMax − RepoSize</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §6).
/// </summary>
internal interface ISpaceReporter
{
    Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken);
}
