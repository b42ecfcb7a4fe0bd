using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>Answer to <see cref="ISpaceReporter.GetSpaceAsync"/>: byte counts, or where it failed.</summary>
internal sealed record SpaceReportResult
{
    public ulong RepoSize { get; private init; }
    public ulong StorageMax { get; private init; }
    public GatewayFailure? Failure { get; private init; }

    /// <summary>
    /// Byte counts as the composition computes them. The Kubo surface clamps both below 2^63 on the wire,
    /// because the Go peer casts the free space to a signed 64-bit weight (docs/protocol/kubo-rpc-as-called-by-cluster.md §6).
    /// </summary>
    public static SpaceReportResult Reported(ulong repoSize, ulong storageMax) => new() { RepoSize = repoSize, StorageMax = storageMax };

    public static SpaceReportResult Failed(GatewayFailure failure) => new() { Failure = failure };
}
