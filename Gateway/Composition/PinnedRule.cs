using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;

namespace CompositeGateway.Composition;

/// <summary>Where a pin stands against the <c>pinned_when</c> rule.</summary>
internal enum PinState
{
    /// <summary>Enough peers report <c>pinned</c>.</summary>
    Pinned,

    /// <summary>Not yet, and enough peers are still working on it (queued, pinning, retried later).</summary>
    InProgress,

    /// <summary>
    /// Not met, but it could be: peers the rule needs answered <c>cluster_error</c> (the undercluster could not
    /// ask them). Never reported as "not pinned" by a query (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.2).
    /// </summary>
    Undetermined,

    /// <summary>Cannot be met any more: <c>pin_error</c> on needed peers, or fewer peers can pin than the rule needs.</summary>
    Failed,

    /// <summary>Every peer answers <c>unpinned</c>: the CID is not (or no longer) in the undercluster's pinset (docs/protocol/cluster-rest.md §5.9).</summary>
    Absent,
}

/// <summary>The rule's answer for one pin: state, counts for progress, and words for a failure.</summary>
internal sealed record PinVerdict(PinState State, int PinnedPeers, int RequiredPeers, string? Problem = null);

/// <summary>
/// The "pinned" rule, applied to what the undercluster reports. Inputs are the pin as stored in the
/// shared state (replication factors and allocations: <c>GET /allocations/{cid}</c>, docs/protocol/cluster-rest.md §5.12) and its
/// status across peers (<c>GET /pins…</c>, §5.8/§5.9). The same function decides waits, queries and
/// listings, so the three can never disagree.
/// </summary>
internal static class PinnedRule
{
    /// <summary>
    /// True for replicate-everywhere pins: −1/−1, stored with no allocations (docs/protocol/cluster-rest.md §2.1, §5.7). These are pinned on
    /// every peer, so "enough" means every peer in the status's <c>peer_map</c>.
    /// </summary>
    public static bool IsEverywhere(ClusterPin pin) => pin.ReplicationFactorMin == -1 || pin.Allocations is null or { Count: 0 };

    /// <summary>Peers that must report <c>pinned</c>, given how many peers the undercluster has right now.</summary>
    public static int RequiredPeers(PinnedWhen rule, ClusterPin pin, int clusterPeers)
    {
        if (IsEverywhere(pin))
        {
            return rule.Kind == PinnedWhenKind.Count ? Math.Min(rule.Peers, clusterPeers) : clusterPeers;
        }

        return rule.Kind switch
        {
            PinnedWhenKind.Min => Math.Max(1, pin.ReplicationFactorMin),
            PinnedWhenKind.AllAllocated => Math.Max(1, pin.Allocations!.Count),
            _ => rule.Peers,
        };
    }

    public static PinVerdict Evaluate(PinnedWhen rule, ClusterPin pin, GlobalPinInfo status, string undercluster)
    {
        int pinned = 0, working = 0, unasked = 0, unpinned = 0;
        List<KeyValuePair<string, PinInfoShort>>? errors = null;
        foreach (var entry in status.PeerMap)
        {
            switch (entry.Value.Status)
            {
                case TrackerStatus.Pinned:
                    pinned++;
                    break;
                case TrackerStatus.Remote:
                case TrackerStatus.Sharded:
                    // remote: allocated elsewhere, never counts (docs/protocol/cluster-rest.md §2.2); sharded: a meta pin is not pinned as such.
                    break;
                case TrackerStatus.PinError:
                    (errors ??= []).Add(entry);
                    break;
                case TrackerStatus.ClusterError:
                    unasked++;
                    break;
                case TrackerStatus.Unpinned:
                    // On a pin that is in the pinset, a peer that has not yet seen the state update.
                    unpinned++;
                    working++;
                    break;
                default:
                    // pin_queued, pinning, unexpectedly_unpinned (the peer retries at its next recover
                    // round), undefined, unpin_* (a replacement of the pin still settling): may still end pinned.
                    working++;
                    break;
            }
        }

        if (status.PeerMap.Count == 0 || unpinned == status.PeerMap.Count)
        {
            return new PinVerdict(PinState.Absent, 0, 0, $"undercluster \"{undercluster}\": {status.Cid ?? pin.Cid} is not in the pinset");
        }

        var required = RequiredPeers(rule, pin, status.PeerMap.Count);
        if (pinned >= required)
        {
            return new PinVerdict(PinState.Pinned, pinned, required);
        }

        if (unasked > 0 && pinned + unasked >= required)
        {
            return new PinVerdict(PinState.Undetermined, pinned, required, Unasked(status, undercluster, pinned, required));
        }

        if (pinned + working + unasked >= required)
        {
            return new PinVerdict(PinState.InProgress, pinned, required);
        }

        return new PinVerdict(PinState.Failed, pinned, required, Unreachable(rule, pin, status, undercluster, pinned, required, errors));
    }

    private static string Unasked(GlobalPinInfo status, string undercluster, int pinned, int required)
    {
        var first = status.PeerMap.First(p => p.Value.Status == TrackerStatus.ClusterError);
        return $"undercluster \"{undercluster}\": cannot tell whether {status.Cid} is pinned: {pinned} of {required} peers report pinned "
            + $"and peer {Peer(first)} could not be asked: {Text(first.Value.Error)}";
    }

    private static string Unreachable(PinnedWhen rule, ClusterPin pin, GlobalPinInfo status, string undercluster, int pinned, int required, List<KeyValuePair<string, PinInfoShort>>? errors)
    {
        if (errors is { Count: > 0 })
        {
            // Sorted so the message is stable from one poll to the next (Go prints maps sorted too).
            errors.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            var first = errors[0];
            var more = errors.Count > 1 ? $" (and pin_error on {errors.Count - 1} more peer{(errors.Count > 2 ? "s" : "")})" : "";
            return $"undercluster \"{undercluster}\": pin_error on peer {Peer(first)}: {Text(first.Value.Error)}{more}";
        }

        var allocated = IsEverywhere(pin) ? status.PeerMap.Count : pin.Allocations!.Count;
        return $"undercluster \"{undercluster}\": pinned_when {rule} needs {required} peers pinned but {status.Cid ?? pin.Cid} "
            + $"can only be pinned on {allocated} (replication {pin.ReplicationFactorMin}/{pin.ReplicationFactorMax}, {pinned} pinned)";
    }

    private static string Peer(KeyValuePair<string, PinInfoShort> entry) =>
        string.IsNullOrEmpty(entry.Value.Peername) ? entry.Key : $"{entry.Key} ({entry.Value.Peername})";

    private static string Text(string error) => string.IsNullOrEmpty(error) ? "(no error text)" : error;
}
