using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;
using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>repo/stat</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.8, §6), with or without <c>size-only</c> (same answer: the gateway counts no objects).
/// Both byte counts are clamped below 2^63: the Go disk informer casts <c>StorageMax − RepoSize</c> to a signed
/// 64-bit weight, so a larger free space would make the gateway the least preferred allocation.
/// </summary>
internal static class RepoStatCommand
{
    /// <summary>Largest byte count put on the wire (2^63 − 1).</summary>
    public const ulong MaxReported = long.MaxValue;

    public static KuboCommand Definition { get; } = new(
        "repo/stat",
        [],
        [new KuboOption("size-only", KuboOptionKind.Bool), new KuboOption("human", KuboOptionKind.Bool)],
        HandleAsync);

    /// <summary>The space report, clamped, or the failure to answer with.</summary>
    public static async Task<(ulong RepoSize, ulong StorageMax, KuboFailure? Failure)> ReadSpaceAsync(KuboCall call)
    {
        if (call.OptionalService<ISpaceReporter>() is not { } reporter)
        {
            return (0, 0, KuboFailure.Normal("repo/stat is not available: no space reporter is configured") with { Kind = KuboErrorKinds.Internal });
        }

        var report = await reporter.GetSpaceAsync(call.Aborted);
        if (report.Failure is { } failure)
        {
            return (0, 0, KuboFailure.FromGateway(failure));
        }

        return (Math.Min(report.RepoSize, MaxReported), Math.Min(report.StorageMax, MaxReported), null);
    }

    private static async Task HandleAsync(KuboCall call)
    {
        var (repoSize, storageMax, failure) = await ReadSpaceAsync(call);
        if (failure is not null)
        {
            await call.FailAsync(failure);
            return;
        }

        await call.Http.Response.WriteAsJsonAsync(
            new RepoStatOutput(repoSize, storageMax, NumObjects: 0, RepoPath: "", Version: ""),
            KuboJsonContext.Wire.RepoStatOutput,
            "application/json",
            call.Aborted);
    }
}
