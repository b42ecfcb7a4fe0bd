using System.Collections.Concurrent;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab.Connector;

/// <summary>
/// The stateless pin tracker of an ipfs-cluster v1.1.6 peer above a <see cref="GoIpfsConnector"/>
/// (docs/protocol/kubo-rpc-as-called-by-cluster.md §5): pin workers capped at <c>concurrent_pins</c> = 10, immediate
/// <c>pin/rm</c> for pins allocated elsewhere, <c>StatusAll</c> from one full listing and
/// <c>RecoverAll</c> re-running the pin operation for everything not pinned.
/// </summary>
internal sealed class GoClusterPeer(GoIpfsConnector ipfs)
{
    /// <summary><c>pintracker.stateless.concurrent_pins</c> default (docs/protocol/kubo-rpc-as-called-by-cluster.md §5).</summary>
    public const int ConcurrentPins = 10;

    public GoIpfsConnector Ipfs { get; } = ipfs;

    /// <summary>
    /// Track(pin) for pins allocated here: the pin worker pool runs the docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3 sequence for each CID, at most
    /// <see cref="ConcurrentPins"/> at once. <paramref name="onDone"/> runs as each operation ends (before the worker
    /// takes the next CID), so a test can look at the world at that exact moment.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PinOutcome>> PinAllAsync(
        IEnumerable<string> cids,
        Action<string, PinOutcome>? onDone = null,
        int concurrency = ConcurrentPins,
        CancellationToken cancellationToken = default)
    {
        var outcomes = new ConcurrentDictionary<string, PinOutcome>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            cids,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (cid, token) =>
            {
                var outcome = await Ipfs.PinAsync(cid, cancellationToken: token);
                onDone?.Invoke(cid, outcome);
                outcomes[cid] = outcome;
            });
        return outcomes;
    }

    /// <summary>
    /// Untrack(cid) for unpins, and Track(pin) for pins allocated to other peers (both send one <c>pin/rm</c>,
    /// docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6, §5.1): the error the peer would record, null when it concludes "unpinned".
    /// </summary>
    public async Task<IReadOnlyDictionary<string, GoError?>> UnpinAllAsync(
        IEnumerable<string> cids,
        Action<string, GoError?>? onDone = null,
        int concurrency = ConcurrentPins,
        CancellationToken cancellationToken = default)
    {
        var outcomes = new ConcurrentDictionary<string, GoError?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            cids,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (cid, token) =>
            {
                var error = await Ipfs.UnpinAsync(cid, token);
                onDone?.Invoke(cid, error);
                outcomes[cid] = error;
            });
        return outcomes;
    }

    /// <summary>
    /// <c>StatusAll</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.3) for a shared state whose pins are all allocated here and have no operation in flight:
    /// one full <c>pin/ls?stream=true&amp;type=recursive</c>; listed → <c>pinned</c>, else <c>unexpectedly_unpinned</c>.
    /// A failed listing fails the whole round.
    /// </summary>
    public async Task<GoResult<IReadOnlyDictionary<string, string>>> StatusAllAsync(IEnumerable<string> state, CancellationToken cancellationToken = default)
    {
        var listing = await Ipfs.PinLsAsync("recursive", cancellationToken);
        if (!listing.Ok)
        {
            return new GoResult<IReadOnlyDictionary<string, string>>(null, listing.Error);
        }

        var statuses = state.ToDictionary(
            cid => cid,
            cid => listing.Value!.ContainsKey(cid) ? TrackerStatus.Pinned : TrackerStatus.UnexpectedlyUnpinned,
            StringComparer.Ordinal);
        return new GoResult<IReadOnlyDictionary<string, string>>(statuses, null);
    }

    /// <summary>
    /// <c>Status(cid)</c> of a pin allocated here (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.2 step 4): one <c>pin/ls?arg=</c>.
    /// </summary>
    public async Task<string> StatusAsync(string cid, CancellationToken cancellationToken = default)
    {
        var answer = await Ipfs.PinLsCidAsync(cid, cancellationToken: cancellationToken);
        return answer.Status switch
        {
            IpfsPinStatus.Recursive or IpfsPinStatus.Direct => TrackerStatus.Pinned,
            IpfsPinStatus.Unpinned or IpfsPinStatus.Indirect => TrackerStatus.UnexpectedlyUnpinned,
            IpfsPinStatus.Bug => TrackerStatus.Undefined,
            _ => TrackerStatus.ClusterError,
        };
    }

    /// <summary>
    /// <c>RecoverAll</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.3): StatusAll, then the pin operation again (<c>pin/ls?arg=</c> first, §4.3) for every
    /// item not pinned. Returns the StatusAll round and the outcome of each re-queued pin.
    /// </summary>
    public async Task<(GoResult<IReadOnlyDictionary<string, string>> Status, IReadOnlyDictionary<string, PinOutcome> Repinned)> RecoverAllAsync(
        IEnumerable<string> state,
        CancellationToken cancellationToken = default)
    {
        var status = await StatusAllAsync(state, cancellationToken);
        if (!status.Ok)
        {
            return (status, new Dictionary<string, PinOutcome>());
        }

        var repinned = await PinAllAsync(
            status.Value!.Where(s => s.Value != TrackerStatus.Pinned).Select(s => s.Key),
            cancellationToken: cancellationToken);
        return (status, repinned);
    }
}
