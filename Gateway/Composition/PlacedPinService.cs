using CompositeGateway.Ipld;
using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;

namespace CompositeGateway.Composition;

/// <summary>
/// The pin path over the configured underclusters (docs/design/placement.md): each undercluster keeps the
/// single-undercluster pin path's promises (<see cref="UnderclusterPinService"/>: truth, ownership, exact Kubo
/// answers), and <see cref="Placement"/> decides where pins go and how the underclusters' answers combine.
/// <para>
/// No local state: finding a pin asks every undercluster in parallel (each bounded by its timeout) and reads
/// this gateway's owner key, so a restarted gateway, another replica, or a changed set of healthy underclusters
/// finds pins wherever they were placed. Used with two or more underclusters: with one, <see cref="PinService"/>
/// hands every call straight to it.
/// </para>
/// </summary>
internal sealed class PlacedPinService : IPinService
{
    private readonly Placement _placement;
    private readonly PinPathOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyedLock _locks = new();

    public PlacedPinService(Placement placement, PinPathOptions options, TimeProvider time, ILogger logger)
    {
        _placement = placement;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The ownership keys this gateway writes (the same in every undercluster).</summary>
    internal Ownership Ownership => Members[0].Pins.Ownership;

    private IReadOnlyList<PlacementMember> Members => _placement.Members;

    /// <summary>Every undercluster is asked at once; <see cref="Placement.Verdict"/> combines the answers.</summary>
    public async Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken)
    {
        var answers = await InspectAllAsync(cid, cancellationToken);
        return _placement.Verdict(cid.ToString(), answers);
    }

    /// <summary>
    /// Each CID once, in bounded memory: the underclusters are listed one after the other in configuration
    /// order (unhealthy ones are left out, as the verdict excuses them); each owned pin of undercluster i is
    /// emitted only if no earlier undercluster j &lt; i owns it too (j emitted it, or decided against it), and only
    /// if <see cref="Placement.Verdict"/> says pinned from every undercluster's answer. Those answers come in
    /// batches: one <c>GET /pins?cids=…</c> per batch per undercluster, plus <c>GET /allocations/{cid}</c> where
    /// another undercluster also owns the CID. Memory: one batch (<see cref="PinPathOptions.PollBatchSize"/>
    /// CIDs) × the number of underclusters' answers, whatever the pinsets' sizes. A failure of a listed
    /// undercluster ends the listing with it: leaving its pins out would tell the Go peer "not pinned" for pins it may hold.
    /// </summary>
    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => new(listing => ProduceAsync(listing, cancellationToken));

    private async IAsyncEnumerable<PinnedItem> ProduceAsync(Listing<PinnedItem> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listed = Members.Where(_placement.IsHealthy).ToList();
        var skipped = Members.Where(m => !_placement.IsHealthy(m)).ToList();
        foreach (var member in skipped)
        {
            CompositionLog.ListSkipped(_logger, member.Name);
        }

        long emitted = 0;
        await foreach (var (source, batch, broken) in OwnedBatchesAsync(listed, _options, Ownership, cancellationToken))
        {
            var (items, failure) = broken is null
                ? await JudgeBatchAsync(listed, skipped, source, batch, cancellationToken)
                : ([], ListFailure(listed[source].Name, broken, emitted));
            if (failure is not null)
            {
                listing.End(failure);
                yield break;
            }

            foreach (var item in items)
            {
                emitted++;
                yield return item;
            }
        }
    }

    /// <summary>
    /// The owned pins of each listed undercluster in turn, in batches (a CID once per batch); the batch is reused,
    /// so it is judged before the next is asked for. A broken allocation stream is the last batch, with its failure.
    /// </summary>
    private static async IAsyncEnumerable<(int Source, Dictionary<string, ClusterPin> Batch, GatewayFailure? Failure)> OwnedBatchesAsync(
        List<PlacementMember> listed, PinPathOptions options, Ownership ownership, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < listed.Count; i++)
        {
            var allocations = listed[i].Undercluster.Client.StreamAllocationsAsync("pin", cancellationToken);
            var batch = new Dictionary<string, ClusterPin>(StringComparer.Ordinal);
            var limits = new CidBatch(options.PollBatchSize, options.PollBatchChars);
            await foreach (var pin in allocations.WithCancellation(cancellationToken))
            {
                if (pin.Cid is not { } cid || !ownership.IsOwner(pin.Metadata) || batch.ContainsKey(cid))
                {
                    continue;
                }

                if (limits.IsFullFor(cid))
                {
                    yield return (i, batch, null);
                    batch.Clear();
                    limits.Clear();
                }

                batch[cid] = pin;
                limits.Add(cid);
            }

            var completion = await allocations.Completion;
            if (!completion.IsSuccess)
            {
                yield return (i, batch, GatewayFailure.From(completion.Failure));
                yield break;
            }

            if (batch.Count > 0)
            {
                yield return (i, batch, null);
            }
        }
    }

    /// <summary>The batch's CIDs to emit, in order; or why one of them cannot be judged (logged), and then none is emitted.</summary>
    private async Task<(List<PinnedItem> Items, GatewayFailure? Failure)> JudgeBatchAsync(
        List<PlacementMember> listed, List<PlacementMember> skipped, int sourceIndex, Dictionary<string, ClusterPin> batch, CancellationToken cancellationToken)
    {
        var cids = batch.Keys.ToList();
        var source = listed[sourceIndex];
        var answers = await FanOut.RunAsync(
            listed,
            (member, token) => member.Pins.InspectBatchAsync(cids, member == source ? batch : null, token),
            (member, failure) => cids.ToDictionary(c => c, _ => PlacedPin.Unknown(member.Name, failure), StringComparer.Ordinal),
            _time,
            cancellationToken);

        var items = new List<PinnedItem>();
        foreach (var cid in cids)
        {
            var earlier = false;
            var perCid = new List<PlacedPin>(Members.Count);
            for (var j = 0; j < listed.Count; j++)
            {
                var answer = answers[j][cid];
                if (answer.Kind == PlacedKind.Unknown)
                {
                    // Every undercluster listed is one the verdict counts on; we could not ask it.
                    return (items, ListFailure(listed[j].Name, answer.Failure!, items.Count));
                }

                earlier |= j < sourceIndex && answer.Kind == PlacedKind.Owned;
                perCid.Add(answer);
            }

            if (earlier)
            {
                continue;
            }

            // Underclusters left out because they are down: the verdict decides whether that is excusable.
            perCid.AddRange(skipped.Select(m => PlacedPin.Unknown(m.Name, new GatewayFailure($"undercluster \"{m.Name}\" is down (health probe)", Transient: true))));
            var verdict = _placement.Verdict(cid, perCid);
            if (verdict.Failure is { } failure)
            {
                return (items, ListFailure(source.Name, failure, items.Count));
            }

            if (verdict.PinnedAs is { } mode)
            {
                items.Add(new PinnedItem(cid, mode, batch[cid].Name));
            }
        }

        return (items, null);
    }

    /// <summary>
    /// Records the pin where <see cref="Placement.Targets"/> says (keeping it wherever this gateway already owns
    /// it), then waits until <see cref="Placement.Required"/> of those underclusters report it pinned. Under
    /// <c>failover</c> a wait whose undercluster becomes unreachable moves to the next healthy one.
    /// </summary>
    public async Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken)
    {
        List<PlacementMember> targets;
        using (await _locks.AcquireAsync(intent.Cid.ToString(), cancellationToken))
        {
            var owners = _placement.Policy == PlacementPolicy.Replicate ? [] : await FindOwnersAsync(intent.Cid, cancellationToken);
            if (_placement.Targets(intent.Cid.ToString(), owners, out var problem) is not { } chosen)
            {
                return PinStartResult.Failed(new GatewayFailure(problem!, Transient: true));
            }

            targets = [.. chosen];
        }

        var required = Math.Min(_placement.Required, targets.Count);
        if (_placement.Policy == PlacementPolicy.Failover)
        {
            var tried = new List<PlacementMember> { targets[0] };
            var first = await targets[0].Pins.StartPinAsync(intent, cancellationToken);
            if (first.Failure is not null)
            {
                return first;
            }

            CompositionLog.Placed(_logger, intent.Cid, targets[0].Name, _placement.Policy.ToString());
            return PinStartResult.Started(new FailoverPinWait(first.Wait!, async failure =>
            {
                var next = Members.FirstOrDefault(m => !tried.Contains(m) && _placement.IsHealthy(m));
                if (next is null)
                {
                    return (null, failure);
                }

                tried.Add(next);
                CompositionLog.FailingOver(_logger, intent.Cid, tried[^2].Name, next.Name, failure.Message);
                var moved = await next.Pins.StartPinAsync(intent, cancellationToken);
                return (moved.Wait, moved.Failure);
            }));
        }

        var stopWaits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = await Task.WhenAll(targets.Select(t => t.Pins.StartPinAsync(intent, stopWaits.Token)));
        var failures = started.Where(s => s.Failure is not null).Select(s => s.Failure!).ToList();
        if (targets.Count - failures.Count < required)
        {
            await stopWaits.CancelAsync();
            stopWaits.Dispose();
            return PinStartResult.Failed(failures.Count == 1 ? failures[0] : GatewayFailure.Combine(
                $"could not record {intent.Cid} in {required} underclusters: " + string.Join("; ", failures.Select(f => f.Message)),
                failures));
        }

        foreach (var target in targets)
        {
            CompositionLog.Placed(_logger, intent.Cid, target.Name, _placement.Policy.ToString());
        }

        return PinStartResult.Started(new QuorumPinWait([.. started.Where(s => s.Wait is not null).Select(s => s.Wait!)], required, stopWaits));
    }

    /// <summary>
    /// Finds the pin first, in every undercluster at once (it may be anywhere: placement moved with health, or
    /// another replica placed it), then releases it where this gateway owns it. If any undercluster cannot be
    /// asked nothing is touched and the unpin fails naming it: it may hold our pin, so "unpinned" would be a
    /// false success, and failing before any change keeps the outcome all-or-nothing for the Go peer
    /// (<c>unpin_error</c>, docs/protocol/kubo-rpc-as-called-by-cluster.md §5.4).
    /// </summary>
    public async Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(cid.ToString(), cancellationToken);
        var (owners, unknown) = await ReadOwnersAsync(cid, cancellationToken);
        if (unknown.Count > 0)
        {
            var unasked = unknown.Select(u => u.Failure).ToList();
            return new UnpinResult(UnpinOutcome.Failed, GatewayFailure.Combine(
                $"cannot unpin {cid}: " + string.Join("; ", unasked.Select(f => f.Message)),
                unasked) with
            {
                Transient = true,
            });
        }

        if (owners.Count == 0)
        {
            return new UnpinResult(UnpinOutcome.NotPinned);
        }

        var results = await Task.WhenAll(owners.Select(m => m.Pins.UnpinAsync(cid, cancellationToken)));
        var failures = results.Where(r => r.Outcome == UnpinOutcome.Failed).Select(r => r.Failure!).ToList();
        if (failures.Count > 0)
        {
            return new UnpinResult(UnpinOutcome.Failed, failures.Count == 1 ? failures[0] : GatewayFailure.Combine(
                string.Join("; ", failures.Select(f => f.Message)), failures));
        }

        return new UnpinResult(results.Any(r => r.Outcome == UnpinOutcome.Unpinned) ? UnpinOutcome.Unpinned : UnpinOutcome.NotPinned);
    }

    /// <summary>
    /// <c>to</c> goes where <c>from</c> is (the content is mostly there already): the update runs in every healthy
    /// undercluster owning <c>from</c> and is waited on like a pin there.
    /// </summary>
    public async Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken)
    {
        if (from == to)
        {
            return await StartPinAsync(new PinIntent(to, PinMode.Recursive), cancellationToken);
        }

        var owners = await FindOwnersAsync(from, cancellationToken, failOnUnknown: true);
        if (owners is null)
        {
            return PinStartResult.Failed(new GatewayFailure($"cannot tell where {from} is pinned: an undercluster could not be asked", Transient: true));
        }

        var targets = owners.Where(_placement.IsHealthy).ToList();
        if (targets.Count == 0)
        {
            // Kubo's text for an update whose source is not pinned (core/commands/pin/pin.go).
            return PinStartResult.Failed(new GatewayFailure("'from' cid was not recursively pinned already", Transient: false) { Kind = GatewayFailureKind.NotPinned });
        }

        var stopWaits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = await Task.WhenAll(targets.Select(t => t.Pins.StartUpdateAsync(from, to, unpinFrom, stopWaits.Token)));
        var required = Math.Min(_placement.Required, targets.Count);
        var failures = started.Where(s => s.Failure is not null).Select(s => s.Failure!).ToList();
        if (targets.Count - failures.Count < required)
        {
            await stopWaits.CancelAsync();
            stopWaits.Dispose();
            return PinStartResult.Failed(failures[0]);
        }

        return PinStartResult.Started(new QuorumPinWait([.. started.Where(s => s.Wait is not null).Select(s => s.Wait!)], required, stopWaits));
    }

    private Task<PlacedPin[]> InspectAllAsync(Cid cid, CancellationToken cancellationToken) =>
        FanOut.RunAsync(Members, (m, token) => m.Pins.InspectAsync(cid, token), (m, failure) => PlacedPin.Unknown(m.Name, failure), _time, cancellationToken);

    private async Task<IReadOnlyCollection<PlacementMember>> FindOwnersAsync(Cid cid, CancellationToken cancellationToken) =>
        (await ReadOwnersAsync(cid, cancellationToken)).Owners;

    /// <summary>With <paramref name="failOnUnknown"/>, null when a healthy undercluster could not be asked.</summary>
    private async Task<IReadOnlyCollection<PlacementMember>?> FindOwnersAsync(Cid cid, CancellationToken cancellationToken, bool failOnUnknown)
    {
        var (owners, unknown) = await ReadOwnersAsync(cid, cancellationToken);
        return failOnUnknown && unknown.Any(u => _placement.IsHealthy(u.Member)) ? null : owners;
    }

    /// <summary>Underclusters holding <paramref name="cid"/> with this gateway's key (one <c>GET /allocations/{cid}</c> each, in parallel), and those that could not be asked.</summary>
    private async Task<(List<PlacementMember> Owners, List<(PlacementMember Member, GatewayFailure Failure)> Unknown)> ReadOwnersAsync(Cid cid, CancellationToken cancellationToken)
    {
        var reads = await FanOut.RunAsync(
            Members,
            async (m, token) => await m.Undercluster.Client.GetAllocationAsync(cid, token) is var read && read.TryGetValue(out var pin, out var failure)
                ? (Owned: pin is not null && Ownership.IsOwner(pin.Metadata), Failure: (GatewayFailure?)null)
                : (Owned: false, Failure: GatewayFailure.From(failure!)),
            (_, failure) => (Owned: false, Failure: (GatewayFailure?)failure),
            _time,
            cancellationToken);
        var owners = Members.Where((_, i) => reads[i].Owned).ToList();
        var unknown = Members.Select((m, i) => (Member: m, Failure: reads[i].Failure)).Where(x => x.Failure is not null).Select(x => (x.Member, x.Failure!)).ToList();
        return (owners, unknown);
    }

    private GatewayFailure ListFailure(string undercluster, GatewayFailure failure, long listed)
    {
        CompositionLog.ListFailed(_logger, undercluster, listed, failure.Message);
        return failure;
    }
}
