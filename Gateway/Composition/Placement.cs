using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Where pins go and how several underclusters' answers about one CID become one answer
/// (docs/design/placement.md). Stateless apart from the health view and the last free-space figures:
/// every decision about an existing pin is made from what the underclusters say now, so a restarted gateway
/// or another replica with the same identity decides the same.
/// </summary>
internal sealed class Placement(IReadOnlyList<PlacementMember> members, PlacementOptions options, IUnderclusterHealthView health) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var member in members)
        {
            await member.Undercluster.DisposeAsync();
        }
    }

    public IReadOnlyList<PlacementMember> Members => members;

    public PlacementOptions Options => options;

    public PlacementPolicy Policy => options.Policy;

    /// <summary>Underclusters that must report a pin pinned (replicate: quorum; spread: copies; failover: 1).</summary>
    public int Required => options.RequiredPlacements(members.Count);

    public bool IsHealthy(PlacementMember member) => health.IsHealthy(member.Name);

    /// <summary>
    /// Weighted rendezvous (highest random weight) ranking of every member for <paramref name="cid"/>: score
    /// −weight / ln(u) with u ∈ (0,1) from SHA-256 of the CID and the undercluster's name. Depends only on the
    /// CID, the names and the weights, so every replica and every restart ranks alike, and removing an
    /// undercluster moves only the CIDs it held (each to its own next choice).
    /// </summary>
    public IReadOnlyList<PlacementMember> Rank(string cid) =>
        [.. members.Select((m, i) => (Member: m, Score: Score(cid, m.Name, m.Weight), Index: i))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Index)
            .Select(x => x.Member)];

    internal static double Score(string cid, string undercluster, double weight)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(cid + "\n" + undercluster), hash);

        // 53 random bits → u in (0, 1): never 0 (ln 0) nor 1 (division by zero).
        var bits = BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11;
        var u = (bits + 0.5) / (1UL << 53);
        return -weight / Math.Log(u);
    }

    /// <summary>
    /// Where a new pin (or the rest of an existing one) goes now. <paramref name="owners"/> are the members that
    /// already hold it for this gateway: they stay (no copying back and forth when health changes).
    /// Null with <paramref name="problem"/> when the policy cannot place it.
    /// </summary>
    public IReadOnlyList<PlacementMember>? Targets(string cid, IReadOnlyCollection<PlacementMember> owners, out string? problem)
    {
        problem = null;
        var healthy = members.Where(IsHealthy).ToList();
        if (options.Policy == PlacementPolicy.Replicate)
        {
            if (healthy.Count < Required)
            {
                problem = $"placement replicate needs {Required} underclusters but only {healthy.Count} are healthy ({Down()} down)";
                return null;
            }

            return healthy;
        }

        if (options.Policy == PlacementPolicy.Spread)
        {
            var targets = owners.Where(IsHealthy).ToList();
            foreach (var member in Rank(cid))
            {
                if (targets.Count >= Required)
                {
                    break;
                }

                if (!targets.Contains(member) && IsHealthy(member) && member.LastFree is not 0)
                {
                    targets.Add(member);
                }
            }

            if (targets.Count < Required)
            {
                problem = $"placement spread needs {Required} healthy underclusters with free space for {cid} but found {targets.Count} ({Down()} down)";
                return null;
            }

            return targets;
        }

        var first = members.FirstOrDefault(m => owners.Contains(m) && IsHealthy(m)) ?? healthy.FirstOrDefault();
        if (first is null)
        {
            problem = $"placement failover: no healthy undercluster ({Down()} down)";
            return null;
        }

        return [first];

        string Down() => string.Join(", ", members.Where(m => !IsHealthy(m)).Select(m => $"\"{m.Name}\""));
    }

    /// <summary>
    /// The one rule that turns the underclusters' answers about a CID into the gateway's answer; queries and
    /// listings both use it, so they cannot disagree. With P = underclusters holding it pinned (by
    /// <c>pinned_when</c>) and r = <see cref="Required"/>:
    /// <list type="number">
    /// <item>replicate: a healthy undercluster that answered without holding it → not pinned (the Go peer re-pins, which fills the gap);</item>
    /// <item>P ≥ r → pinned;</item>
    /// <item>a healthy undercluster could not say (call failed, peers unasked) → failure, never "not pinned";</item>
    /// <item>an unhealthy one could not say, and the policy could not place the pin without it (fewer healthy than r) → failure;</item>
    /// <item>otherwise → not pinned: the Go peer's re-pin places it on healthy underclusters under the policy.</item>
    /// </list>
    /// </summary>
    public PinQueryResult Verdict(string cid, IReadOnlyList<PlacedPin> answers)
    {
        var healthy = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            healthy[member.Name] = IsHealthy(member);
        }

        if (options.Policy == PlacementPolicy.Replicate && answers.Any(a => a.Kind == PlacedKind.NotOwned && healthy[a.Undercluster]))
        {
            return PinQueryResult.NotPinned;
        }

        var pinned = answers.Where(a => a.IsPinned).ToList();
        if (pinned.Count >= Required)
        {
            return PinQueryResult.Pinned(pinned.Any(a => a.Mode == PinMode.Recursive) ? PinMode.Recursive : PinMode.Direct);
        }

        if (answers.FirstOrDefault(a => a.IsUndetermined && healthy[a.Undercluster]) is { } unasked)
        {
            return PinQueryResult.Failed(unasked.Failure!);
        }

        var excused = answers.Where(a => a.IsUndetermined).ToList();
        if (excused.Count > 0 && healthy.Count(h => h.Value) < Required)
        {
            return PinQueryResult.Failed(new GatewayFailure(
                $"cannot tell whether {cid} is pinned: {pinned.Count} of {Required} underclusters report it pinned and "
                    + string.Join("; ", excused.Select(e => e.Failure!.Message)),
                Transient: true));
        }

        return PinQueryResult.NotPinned;
    }
}
