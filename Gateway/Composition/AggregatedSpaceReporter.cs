using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>repo/stat</c> over several underclusters (docs/design/repo-stat.md has the formulas and a worked
/// example): each undercluster's free space f_u is what its own <see cref="SpaceReporter"/> computes (the k_u-th
/// largest peer free space for its replication, docs/design/repo-stat.md); the underclusters are asked in
/// parallel, each bounded by its timeout. Over the healthy underclusters that answered, in configuration order:
/// <list type="bullet">
/// <item><c>replicate</c> with quorum q: the q-th largest f_u (q = all: the tightest undercluster);</item>
/// <item><c>spread</c> with k copies: the k-th largest f_u (k underclusters must each hold the pin);</item>
/// <item><c>failover</c>: f_u of the first one (where new pins go).</item>
/// </list>
/// Fewer answering underclusters than needed → 0 (no new allocations, as a full Kubo). An undercluster that
/// cannot be asked is left out, logged and recorded in <see cref="UnderclusterHealth"/> (for <c>/ready</c> and
/// <c>gateway_repo_stat_left_out</c>), or fails the call with <c>repo_stat_unreachable: fail</c>.
/// <c>RepoSize</c> stays 0 and the result is capped at 2^63 − 1 (the Go informer's int64 weight, docs/protocol/kubo-rpc-as-called-by-cluster.md §6).
/// </summary>
internal sealed class AggregatedSpaceReporter(
    Placement placement, TimeProvider time, ILogger<AggregatedSpaceReporter> logger, UnderclusterHealth? health = null) : ISpaceReporter
{
    private volatile IReadOnlyList<string> _leftOut = [];

    /// <summary>Underclusters the last <c>repo/stat</c> left out (unreachable or failing), with why.</summary>
    public IReadOnlyList<string> LeftOut => _leftOut;

    public async Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken)
    {
        var members = placement.Members;
        if (members.Count == 1)
        {
            var single = await members[0].Space.GetSpaceAsync(cancellationToken);
            if (single.Failure is null)
            {
                members[0].RecordFree(single.StorageMax - single.RepoSize);
                health?.RecordFreeSpace(members[0].Name, single.StorageMax - Math.Min(single.RepoSize, single.StorageMax));
            }

            return single;
        }

        var answers = await FanOut.RunAsync(
            members,
            (m, token) => m.Space.GetSpaceAsync(token),
            (_, failure) => SpaceReportResult.Failed(failure),
            time,
            cancellationToken);

        var leftOut = new List<string>();
        var free = new List<ulong>();
        for (var i = 0; i < members.Count; i++)
        {
            if (answers[i].Failure is { } failure)
            {
                CompositionLog.SpaceLeftOut(logger, members[i].Name, failure.Message);
                leftOut.Add(failure.Message);
                health?.RecordRepoStat(members[i].Name, failure.Message);
                continue;
            }

            health?.RecordRepoStat(members[i].Name, null);

            var f = answers[i].StorageMax - Math.Min(answers[i].RepoSize, answers[i].StorageMax);
            members[i].RecordFree(f);
            health?.RecordFreeSpace(members[i].Name, f);
            if (placement.IsHealthy(members[i]))
            {
                free.Add(f);
            }
        }

        _leftOut = leftOut;
        if (leftOut.Count > 0 && placement.Options.RepoStatUnreachable == RepoStatUnreachable.Fail)
        {
            return SpaceReportResult.Failed(new GatewayFailure("repo/stat: " + string.Join("; ", leftOut), Transient: true));
        }

        return SpaceReportResult.Reported(0, Math.Min(Combine(placement.Policy, placement.Required, free), SpaceReporter.MaxReported));
    }

    /// <summary>The policy's formula over the free space of the healthy underclusters that answered, in configuration order.</summary>
    internal static ulong Combine(PlacementPolicy policy, int required, IReadOnlyList<ulong> free)
    {
        if (free.Count == 0)
        {
            return 0;
        }

        if (policy == PlacementPolicy.Failover)
        {
            return free[0];
        }

        return required >= 1 && required <= free.Count ? free.OrderByDescending(f => f).ElementAt(required - 1) : 0;
    }
}
