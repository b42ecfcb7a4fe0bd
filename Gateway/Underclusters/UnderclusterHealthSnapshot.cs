using CompositeGateway.Configuration;

namespace CompositeGateway.Underclusters;

/// <summary>
/// One undercluster's health at a moment. <c>IsReady</c>: the last success is younger than
/// <see cref="HealthOptions.ReadyWithin"/>, which is what <c>/ready</c> requires, and the
/// undercluster is not refused (<see cref="UnderclusterState.Inception"/>).
/// </summary>
internal sealed record UnderclusterHealthSnapshot(
    string Name,
    UnderclusterState State,
    bool IsReady,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastProbe,
    string? LastError,
    int ConsecutiveFailures,
    string? PeerId)
{
    /// <summary>The last aggregated <c>repo/stat</c> left this undercluster out (it could not be asked).</summary>
    public bool RepoStatLeftOut { get; init; }

    /// <summary>Why the last <c>repo/stat</c> that left this undercluster out did so; null once one counts it again.</summary>
    public string? LastRepoStatError { get; init; }

    /// <summary>Free space (bytes) as the last <c>repo/stat</c> that got an answer from this undercluster computed it; null before.</summary>
    public ulong? FreeSpaceBytes { get; init; }
}
