using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// The pin path (README "The pin path"): overcluster pin operations become owned undercluster pins,
/// and "pinned" means what the undercluster's peers report, by the <c>pinned_when</c> rule.
/// <para>
/// Ownership (README "Pin ownership"): every pin this gateway creates or joins carries its owner key in
/// the pin's metadata; listings and queries show only owned pins; an unpin removes only this gateway's key
/// and deletes the undercluster pin only when no owner remains and a gateway created it. Every write is a
/// read-merge-write of the whole pin (a re-pin replaces everything, cluster-rest-api.md §5.7), serialised per
/// CID inside the process, followed by a read-back that repairs a lost key.
/// </para>
/// This is the pin path over one undercluster; <see cref="PinService"/> places pins over the configured set of
/// these (README "Placement"), and with a single undercluster simply hands every call to it.
/// </summary>
internal sealed class UnderclusterPinService : IPinService
{
    /// <summary>Writes of one pin per operation before giving up on concurrent writers that keep replacing it.</summary>
    internal const int MaxWriteAttempts = 3;

    /// <summary>Status batches of a listing requested ahead of the consumer (bounds memory to this many batches).</summary>
    internal const int ListBatchesInFlight = 4;

    private readonly Undercluster _undercluster;
    private readonly PinPathOptions _options;
    private readonly Ownership _ownership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyedLock _locks = new();
    private readonly Dictionary<string, List<PinWait>> _waits = new(StringComparer.Ordinal);

    public UnderclusterPinService(Undercluster undercluster, PinPathOptions options, GatewayOwner owner, TimeProvider time, ILogger logger)
    {
        _undercluster = undercluster;
        _options = options;
        _ownership = new Ownership(options.MetadataPrefix, owner.PeerId);
        _time = time;
        _logger = logger;
    }

    internal Ownership Ownership => _ownership;

    public Undercluster Undercluster => _undercluster;

    private ClusterClient Client => _undercluster.Client;

    private string Name => _undercluster.Name;

    /// <summary>
    /// Two reads: <c>GET /allocations/{cid}</c> (in the pinset? ours? mode and replication) and, only for owned
    /// pins, <c>GET /pins/{cid}</c> (what the peers report). A failure of either is a failure, never "not pinned":
    /// the Go peer turns a pin/ls error into a status error but "not pinned" into a re-pin (ipfs-rpc-as-called-by-cluster.md §5.4).
    /// </summary>
    public async Task<PinQueryResult> QueryAsync(string cid, CancellationToken cancellationToken) =>
        (await InspectAsync(cid, cancellationToken)).ToQueryResult();

    /// <summary>What this undercluster holds of <paramref name="cid"/> for this gateway: the query's two reads, kept apart so placement can combine several underclusters' answers.</summary>
    public async Task<PlacedPin> InspectAsync(string cid, CancellationToken cancellationToken)
    {
        var read = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!read.TryGetValue(out var stored, out var failure))
        {
            return PlacedPin.Unknown(Name, Undercluster.Describe(failure));
        }

        if (stored is null || !_ownership.IsOwner(stored.Metadata))
        {
            return PlacedPin.NotOwned(Name);
        }

        var status = await Client.GetStatusAsync(cid, local: false, cancellationToken);
        return status.TryGetValue(out var info, out failure)
            ? Judge(stored, info)
            : PlacedPin.Unknown(Name, Undercluster.Describe(failure));
    }

    /// <summary>
    /// <see cref="InspectAsync"/> for a batch, in one <c>GET /pins?cids=…</c> (the status carries the metadata, so
    /// ownership) plus one <c>GET /allocations/{cid}</c> per CID owned here whose stored pin <paramref name="known"/>
    /// does not already hold (the rule needs replication and allocations, which the status lacks). Null items
    /// never occur: every CID gets an answer, or the whole batch is <see cref="PlacedKind.Unknown"/>.
    /// </summary>
    public async Task<Dictionary<string, PlacedPin>> InspectBatchAsync(IReadOnlyList<string> cids, IReadOnlyDictionary<string, ClusterPin>? known, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, GlobalPinInfo>(cids.Count, StringComparer.Ordinal);
        var failure = await _undercluster.FetchStatusAsync(cids, s => statuses[s.Cid ?? ""] = s, cancellationToken);
        var answers = new Dictionary<string, PlacedPin>(cids.Count, StringComparer.Ordinal);
        foreach (var cid in cids)
        {
            if (failure is not null)
            {
                answers[cid] = PlacedPin.Unknown(Name, failure);
            }
            else if (!statuses.TryGetValue(cid, out var info))
            {
                answers[cid] = PlacedPin.Unknown(Name, new GatewayFailure($"undercluster \"{Name}\" left {cid} out of its status answer", Transient: true));
            }
            else if (!_ownership.IsOwner(info.Metadata))
            {
                answers[cid] = PlacedPin.NotOwned(Name);
            }
            else if (known is not null && known.TryGetValue(cid, out var pin))
            {
                answers[cid] = Judge(pin, info);
            }
            else
            {
                var read = await Client.GetAllocationAsync(cid, cancellationToken);
                answers[cid] = !read.TryGetValue(out var stored, out var readFailure) ? PlacedPin.Unknown(Name, Undercluster.Describe(readFailure))
                    : stored is null || !_ownership.IsOwner(stored.Metadata) ? PlacedPin.NotOwned(Name)
                    : Judge(stored, info);
            }
        }

        return answers;
    }

    private PlacedPin Judge(ClusterPin stored, GlobalPinInfo info)
    {
        var verdict = PinnedRule.Evaluate(_options.PinnedWhen, stored, info, Name);
        return PlacedPin.Owned(Name, verdict.State, PinRewrite.ModeOf(stored), verdict.Problem);
    }

    /// <summary>
    /// Owned pins that meet the rule, in bounded memory. Source choice (also in README "The pin path"):
    /// <c>GET /allocations?filter=pin</c> streamed, owned pins collected into batches of
    /// <see cref="PinPathOptions.PollBatchSize"/>, each batch's truth from one <c>GET /pins?cids=…</c>. Chosen over
    /// <c>GET /pins?filter=pinned</c> because: (1) <c>/allocations</c> streams from the shared state as it is
    /// read, while cluster-wide <c>/pins</c> answers only after every peer listed its whole IPFS pinset and the
    /// undercluster merged it all in memory (§1.3, §5.8) — time to first byte grows with the pinset and eats
    /// the Go peer's 5-minute <c>ipfs_request_timeout</c> for the whole listing (ipfs-rpc-as-called-by-cluster.md
    /// §4.7); (2) status is asked only for pins this gateway owns, not for every other owner's pins in a shared
    /// undercluster; (3) <c>GlobalPinInfo</c> carries neither replication factors nor <c>max_depth</c>, which the
    /// rule and the Kubo type need, and recording them in our metadata would cost an extra re-pin of every pin
    /// created with the undercluster's default replication (§5.7). The price: per-CID status makes the allocated
    /// peers answer one IPFS <c>pin/ls?arg</c> each per listed pin, instead of one full listing per peer.
    /// </summary>
    public async IAsyncEnumerable<PinnedItem> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Status requests of the next batches run while earlier ones are yielded: at most ListBatchesInFlight
        // batches exist at once, so memory stays bounded while the undercluster's latency is overlapped.
        using var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var allocations = Client.StreamAllocationsAsync("pin", listing.Token);
        var inFlight = new Queue<(List<ClusterPin> Batch, Task<BatchStatus> Status)>();
        var batch = new List<ClusterPin>(_options.PollBatchSize);
        var chars = 0;
        long listed = 0;
        try
        {
            await foreach (var pin in allocations.WithCancellation(listing.Token))
            {
                if (pin.Cid is not { } cid || !_ownership.IsOwner(pin.Metadata))
                {
                    continue;
                }

                if (batch.Count >= _options.PollBatchSize || (batch.Count > 0 && chars + 1 + cid.Length > _options.PollBatchChars))
                {
                    inFlight.Enqueue((batch, FetchBatchStatusAsync(batch, listing.Token)));
                    batch = new List<ClusterPin>(_options.PollBatchSize);
                    chars = 0;
                    while (inFlight.Count >= ListBatchesInFlight)
                    {
                        var (done, status) = inFlight.Dequeue();
                        foreach (var item in PinnedOf(done, await status, listed))
                        {
                            listed++;
                            yield return item;
                        }
                    }
                }

                batch.Add(pin);
                chars += cid.Length + 1;
            }

            var completion = await allocations.Completion;
            if (!completion.IsSuccess)
            {
                throw ListFailure(Undercluster.Describe(completion.Failure), listed);
            }

            if (batch.Count > 0)
            {
                inFlight.Enqueue((batch, FetchBatchStatusAsync(batch, listing.Token)));
            }

            while (inFlight.Count > 0)
            {
                var (done, status) = inFlight.Dequeue();
                foreach (var item in PinnedOf(done, await status, listed))
                {
                    listed++;
                    yield return item;
                }
            }
        }
        finally
        {
            // A consumer that stops early (or a failure) must not leave status requests running.
            await listing.CancelAsync();
            foreach (var (_, status) in inFlight)
            {
                await ((Task)status).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(intent.Cid, cancellationToken);
        var ensured = await EnsureOwnedAsync(intent.Cid, intent.Mode, cancellationToken);
        return ensured.Failure is { } failure
            ? PinStartResult.Failed(failure)
            : PinStartResult.Started(StartWait(intent.Cid, intent.Mode, ensured.Pin!, cancellationToken));
    }

    /// <summary>
    /// The common case is a CID this gateway does not own (the Go peer sends pin/rm for every pin allocated to
    /// other overcluster peers, ipfs-rpc-as-called-by-cluster.md §4.6): one <c>GET /allocations/{cid}</c>, then
    /// <see cref="UnpinOutcome.NotPinned"/>.
    /// </summary>
    public async Task<UnpinResult> UnpinAsync(string cid, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(cid, cancellationToken);
        EndWaits(cid, new GatewayFailure($"{cid} was unpinned while the pin was being waited on", Transient: false));

        var read = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!read.TryGetValue(out var stored, out var failure))
        {
            return Failed(failure);
        }

        if (stored is null || !_ownership.IsOwner(stored.Metadata))
        {
            return new UnpinResult(UnpinOutcome.NotPinned);
        }

        for (var attempt = 1; attempt <= MaxWriteAttempts; attempt++)
        {
            var others = _ownership.OtherOwners(stored.Metadata);
            var created = _ownership.CreatedByGateway(stored.Metadata);
            if (others.Count == 0 && created)
            {
                return await DeleteIfOwnerlessAsync(cid, cancellationToken);
            }

            // Other owners remain, or the pin existed before any gateway touched it: only our key goes.
            var write = await WriteAsync(cid, PinRewrite.Repost(stored, _ownership.WithoutOwner(stored.Metadata), mode: null, _time.GetUtcNow()), cancellationToken);
            if (!write.IsSuccess)
            {
                return Failed(write.Failure);
            }

            CompositionLog.OwnershipReleased(_logger, cid, Name, others.Count, created);

            // Read back: a concurrent joiner that merged from a snapshot still holding our key puts it back.
            read = await Client.GetAllocationAsync(cid, cancellationToken);
            if (!read.TryGetValue(out stored, out failure))
            {
                return Failed(failure);
            }

            if (stored is null || !_ownership.IsOwner(stored.Metadata))
            {
                return new UnpinResult(UnpinOutcome.Unpinned);
            }

            CompositionLog.OwnershipRepaired(_logger, cid, Name, attempt);
        }

        return new UnpinResult(UnpinOutcome.Failed, new GatewayFailure(
            $"undercluster \"{Name}\": could not remove this gateway's ownership of {cid}: after {MaxWriteAttempts} writes another writer keeps restoring it",
            Transient: true));
    }

    /// <summary>
    /// <c>pin/update</c>: <c>to</c> is pinned with <c>pin-update=from</c> so the undercluster copies <c>from</c>'s
    /// allocations and options (the content is mostly on those peers already; cluster-rest-api.md §7), then made
    /// this gateway's alone (the copy brought <c>from</c>'s owners along), then waited on like a pin. When
    /// <c>to</c> already exists it is joined instead: a pin-update would replace its options for its other owners.
    /// </summary>
    public async Task<PinStartResult> StartUpdateAsync(string from, string to, bool unpinFrom, CancellationToken cancellationToken)
    {
        if (from == to)
        {
            return await StartPinAsync(new PinIntent(to, PinMode.Recursive), cancellationToken);
        }

        PinMode mode;
        Ensured ensured;
        using (await _locks.AcquireAsync(to, cancellationToken))
        {
            var fromRead = await Client.GetAllocationAsync(from, cancellationToken);
            if (!fromRead.TryGetValue(out var fromPin, out var failure))
            {
                return PinStartResult.Failed(Undercluster.Describe(failure));
            }

            if (fromPin is null || !_ownership.IsOwner(fromPin.Metadata))
            {
                // Kubo's text for an update whose source is not pinned (core/commands/pin/pin.go).
                return PinStartResult.Failed(new GatewayFailure("'from' cid was not recursively pinned already", Transient: false));
            }

            mode = PinRewrite.ModeOf(fromPin);
            var toRead = await Client.GetAllocationAsync(to, cancellationToken);
            if (!toRead.TryGetValue(out var toPin, out failure))
            {
                return PinStartResult.Failed(Undercluster.Describe(failure));
            }

            if (toPin is null && await CreateByUpdateAsync(from, to, mode, cancellationToken) is { } updateFailure)
            {
                return PinStartResult.Failed(updateFailure);
            }

            ensured = await EnsureOwnedAsync(to, mode, cancellationToken);
            if (ensured.Failure is { } ensureFailure)
            {
                return PinStartResult.Failed(ensureFailure);
            }
        }

        var wait = StartWait(to, mode, ensured.Pin!, cancellationToken);
        return PinStartResult.Started(unpinFrom ? new ThenPinWait(wait, () => UnpinFromAsync(from, cancellationToken)) : wait);
    }

    private async Task<GatewayFailure?> UnpinFromAsync(string from, CancellationToken cancellationToken)
    {
        var result = await UnpinAsync(from, cancellationToken);
        return result.Outcome == UnpinOutcome.Failed ? result.Failure : null;
    }

    private async Task<GatewayFailure?> CreateByUpdateAsync(string from, string to, PinMode mode, CancellationToken cancellationToken)
    {
        var update = await Client.PinAsync(to, new PinRequest { PinUpdate = from, Mode = mode }, cancellationToken);
        if (!update.TryGetValue(out var copied, out var failure))
        {
            return Undercluster.Describe(failure);
        }

        var now = _time.GetUtcNow();
        var desired = _ownership.ForUpdatedPin(copied.Metadata, now);
        if (!Ownership.SameMetadata(copied.Metadata, desired))
        {
            var write = await WriteAsync(to, PinRewrite.Repost(copied, desired, mode: null, now), cancellationToken);
            if (!write.IsSuccess)
            {
                return Undercluster.Describe(write.Failure);
            }
        }

        CompositionLog.PinCreated(_logger, to, Name, _ownership.OwnerId);
        return null;
    }

    /// <summary>
    /// Makes the pinset hold <paramref name="cid"/> with this gateway's owner key and a mode covering
    /// <paramref name="mode"/>, writing only when something is missing (a re-pin is a state update on every
    /// undercluster peer, §5.7). Each write is followed by a read-back; a key lost to a concurrent writer is
    /// merged in again, up to <see cref="MaxWriteAttempts"/> writes. Callers hold the CID's lock.
    /// </summary>
    private async Task<Ensured> EnsureOwnedAsync(string cid, PinMode mode, CancellationToken cancellationToken)
    {
        for (var writes = 0; ; writes++)
        {
            var read = await Client.GetAllocationAsync(cid, cancellationToken);
            if (!read.TryGetValue(out var stored, out var failure))
            {
                return new Ensured(null, Undercluster.Describe(failure));
            }

            var now = _time.GetUtcNow();
            PinRequest request;
            if (stored is null)
            {
                request = new PinRequest
                {
                    Mode = mode,
                    ReplicationMin = _options.ReplicationMin == 0 ? null : _options.ReplicationMin,
                    ReplicationMax = _options.ReplicationMax == 0 ? null : _options.ReplicationMax,
                    Metadata = _ownership.WithOwner(null, now, markCreated: true),
                };
            }
            else if (stored.Type != "pin")
            {
                return new Ensured(null, new GatewayFailure(
                    $"undercluster \"{Name}\": {cid} is a {stored.Type} there; the gateway only pins regular data pins", Transient: false));
            }
            else if (_ownership.IsOwner(stored.Metadata) && PinRewrite.Covers(stored, mode))
            {
                return new Ensured(stored, null);
            }
            else
            {
                request = PinRewrite.Repost(stored, _ownership.WithOwner(stored.Metadata, now, markCreated: false), mode, now);
            }

            if (writes == MaxWriteAttempts)
            {
                return new Ensured(null, new GatewayFailure(
                    $"undercluster \"{Name}\": could not record this gateway's ownership of {cid}: after {MaxWriteAttempts} writes "
                        + "another writer keeps replacing the pin's metadata",
                    Transient: true));
            }

            if (writes > 0)
            {
                CompositionLog.OwnershipRepaired(_logger, cid, Name, writes);
            }

            var write = await WriteAsync(cid, request, cancellationToken);
            if (!write.TryGetValue(out var written, out failure))
            {
                return new Ensured(null, Undercluster.Describe(failure));
            }

            if (stored is null)
            {
                if (_options.ReplicationMin == 0)
                {
                    _undercluster.LearnDefaultReplication(written);
                }

                CompositionLog.PinCreated(_logger, cid, Name, _ownership.OwnerId);
            }
            else
            {
                CompositionLog.PinJoined(_logger, cid, Name, _ownership.OwnerId);
            }
        }
    }

    /// <summary>
    /// Last owner of a gateway-created pin: wait <see cref="PinPathOptions.UnpinRecheckDelay"/>, re-read, and
    /// delete only if still nobody else owns it. A joiner seen in the re-read keeps the pin (our key is then
    /// removed by a normal write).
    /// </summary>
    private async Task<UnpinResult> DeleteIfOwnerlessAsync(string cid, CancellationToken cancellationToken)
    {
        if (_options.UnpinRecheckDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.UnpinRecheckDelay, _time, cancellationToken);
        }

        var reread = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!reread.TryGetValue(out var stored, out var failure))
        {
            return Failed(failure);
        }

        if (stored is null)
        {
            return new UnpinResult(UnpinOutcome.Unpinned);
        }

        if (_ownership.OtherOwners(stored.Metadata).Count > 0)
        {
            CompositionLog.DeleteAverted(_logger, cid, Name);
            var write = await WriteAsync(cid, PinRewrite.Repost(stored, _ownership.WithoutOwner(stored.Metadata), mode: null, _time.GetUtcNow()), cancellationToken);
            return write.IsSuccess ? new UnpinResult(UnpinOutcome.Unpinned) : Failed(write.Failure);
        }

        var delete = await Client.UnpinAsync(cid, cancellationToken);
        if (!delete.IsSuccess)
        {
            return Failed(delete.Failure);
        }

        CompositionLog.PinDeleted(_logger, cid, Name);
        return new UnpinResult(UnpinOutcome.Unpinned);
    }

    /// <summary>
    /// A waited pin vanished or lost our key (another gateway's delete or a concurrent write): put it back,
    /// under the CID's lock, unless the wait ended meanwhile (an unpin ends waits before touching ownership).
    /// </summary>
    private async Task ReestablishAsync(PinWait wait)
    {
        try
        {
            using var held = await _locks.AcquireAsync(wait.Cid, wait.CancellationToken);
            if (wait.IsCompleted)
            {
                return;
            }

            CompositionLog.WaitReestablishing(_logger, wait.Cid, Name);
            var ensured = await EnsureOwnedAsync(wait.Cid, wait.Mode, wait.CancellationToken);
            if (ensured.Pin is { } pin)
            {
                wait.Pin = pin;
            }
            else
            {
                CompositionLog.WaitReestablishFailed(_logger, wait.Cid, Name, ensured.Failure!.Message);
            }
        }
        catch (OperationCanceledException) when (wait.CancellationToken.IsCancellationRequested)
        {
            // The wait was abandoned; nothing to re-establish.
        }
    }

    private IPinWait StartWait(string cid, PinMode mode, ClusterPin pin, CancellationToken cancellationToken)
    {
        if (_options.PinWait == PinWaitMode.Accepted)
        {
            return CompletedPinWait.Success;
        }

        var wait = new PinWait(cid, mode, pin, Name, _options, _ownership, _time, ReestablishAsync);
        lock (_waits)
        {
            if (!_waits.TryGetValue(cid, out var list))
            {
                list = [];
                _waits[cid] = list;
            }

            list.Add(wait);
        }

        _ = wait.Completion.ContinueWith(
            done =>
            {
                lock (_waits)
                {
                    if (_waits.TryGetValue(cid, out var list) && list.Remove(wait) && list.Count == 0)
                    {
                        _waits.Remove(cid);
                    }
                }

                CompositionLog.WaitEnded(_logger, cid, Name, done.IsCanceled ? "cancelled" : done.Result?.Message ?? "pinned");
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        wait.Start(_undercluster.Poller, cancellationToken);
        return wait;
    }

    private void EndWaits(string cid, GatewayFailure reason)
    {
        PinWait[] waits;
        lock (_waits)
        {
            waits = _waits.TryGetValue(cid, out var list) ? [.. list] : [];
        }

        foreach (var wait in waits)
        {
            wait.Complete(reason);
        }
    }

    /// <summary>Direct pins go through the path route: <c>POST /pins/{cid}</c> would store them recursive (§5.4 caveat).</summary>
    private Task<ClusterResult<ClusterPin>> WriteAsync(string cid, PinRequest request, CancellationToken cancellationToken) =>
        request.Mode == PinMode.Direct
            ? Client.PinPathAsync("/ipfs/" + cid, request, cancellationToken)
            : Client.PinAsync(cid, request, cancellationToken);

    private async Task<BatchStatus> FetchBatchStatusAsync(List<ClusterPin> batch, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, GlobalPinInfo>(batch.Count, StringComparer.Ordinal);
        var failure = await _undercluster.FetchStatusAsync([.. batch.Select(p => p.Cid!)], s => statuses[s.Cid ?? ""] = s, cancellationToken);
        return new BatchStatus(statuses, failure);
    }

    /// <summary>The batch's pins that meet the rule, in pinset order; throws when the batch's truth is unknown.</summary>
    private IEnumerable<PinnedItem> PinnedOf(List<ClusterPin> batch, BatchStatus status, long listed)
    {
        if (status.Failure is { } failure)
        {
            throw ListFailure(failure, listed);
        }

        foreach (var pin in batch)
        {
            if (!status.ByCid.TryGetValue(pin.Cid!, out var info))
            {
                throw ListFailure(new GatewayFailure($"undercluster \"{Name}\" left {pin.Cid} out of its status answer", Transient: true), listed);
            }

            var verdict = PinnedRule.Evaluate(_options.PinnedWhen, pin, info, Name);
            if (verdict.State == PinState.Undetermined)
            {
                // Leaving it out would tell the Go peer "not pinned" when we simply could not ask.
                throw ListFailure(new GatewayFailure(verdict.Problem!, Transient: true), listed);
            }

            if (verdict.State == PinState.Pinned)
            {
                yield return new PinnedItem(pin.Cid!, PinRewrite.ModeOf(pin), pin.Name);
            }
        }
    }

    private GatewayFailureException ListFailure(GatewayFailure failure, long listed)
    {
        CompositionLog.ListFailed(_logger, Name, listed, failure.Message);
        return new GatewayFailureException(failure);
    }

    private static UnpinResult Failed(ClusterFailure failure) => new(UnpinOutcome.Failed, Undercluster.Describe(failure));

    private readonly record struct Ensured(ClusterPin? Pin, GatewayFailure? Failure);

    private sealed record BatchStatus(Dictionary<string, GlobalPinInfo> ByCid, GatewayFailure? Failure);
}
