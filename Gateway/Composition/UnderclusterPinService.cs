using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// The pin path (docs/design/pin-path.md): overcluster pin operations become owned undercluster pins,
/// and "pinned" means what the undercluster's peers report, by the <c>pinned_when</c> rule.
/// <para>
/// Ownership (docs/design/ownership.md): every pin this gateway creates or joins carries its owner key in
/// the pin's metadata; listings and queries show only owned pins; an unpin removes only this gateway's key
/// and deletes the undercluster pin only when no owner remains and a gateway created it. Every write is a
/// read-merge-write of the whole pin (a re-pin replaces everything, docs/protocol/cluster-rest.md §5.7), serialised per
/// CID inside the process; a lost key is repaired by a read-back (<c>pin_wait: accepted</c>) or by the wait, which succeeds only
/// on a status carrying our key (<see cref="OwnershipWriter"/>, which also
/// holds the unpin protocol). The listing is <see cref="UnderclusterPinLister"/>'s, the running waits are in
/// <see cref="PinWaitRegistry"/>; this class holds queries, the per-CID lock and the order of each operation.
/// </para>
/// This is the pin path over one undercluster; <see cref="PinService"/> places pins over the configured set of
/// these (docs/design/placement.md), and with a single undercluster simply hands every call to it.
/// </summary>
internal sealed class UnderclusterPinService : IPinService
{
    private readonly Undercluster _undercluster;
    private readonly PinPathOptions _options;
    private readonly Ownership _ownership;
    private readonly ILogger _logger;
    private readonly KeyedLock _locks = new();
    private readonly OwnershipWriter _writer;
    private readonly UnderclusterPinLister _lister;
    private readonly PinWaitRegistry _waits;
    private readonly QueryBatcher _queries;
    private readonly TimeProvider _time;

    public UnderclusterPinService(Undercluster undercluster, PinPathOptions options, GatewayOwner owner, TimeProvider time, ILogger logger, GatewayMetrics? metrics = null)
    {
        _undercluster = undercluster;
        _options = options;
        _ownership = new Ownership(options.MetadataPrefix, owner.PeerId);
        _logger = logger;
        _time = time;
        _writer = new OwnershipWriter(undercluster, options, _ownership, time, logger);
        _lister = new UnderclusterPinLister(undercluster, options, _ownership, logger);
        _waits = new PinWaitRegistry(undercluster, options, _ownership, time, logger, metrics);
        _queries = new QueryBatcher(InspectOneAsync, InspectQueuedAsync, options.PollBatchSize, options.PollBatchChars);
    }

    internal Ownership Ownership => _ownership;

    public Undercluster Undercluster => _undercluster;

    private ClusterClient Client => _undercluster.Client;

    private string Name => _undercluster.Name;

    /// <summary>
    /// One read in the steady state: <c>GET /pins/{cid}</c>, whose answer carries the pin's metadata (ownership, and the
    /// shape key giving mode and replication: <see cref="Ownership.PinFromStatus"/>) and allocations as well as what the
    /// peers report (docs/protocol/cluster-rest.md §2.2). A pin owned here without a shape key (written before the key
    /// existed, or with a replication the gateway could not tell) costs a second read, <c>GET /allocations/{cid}</c>.
    /// A failure of either is a failure, never "not pinned": the Go peer turns a pin/ls error into a status error but
    /// "not pinned" into a re-pin (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.4).
    /// </summary>
    public async Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken) =>
        (await InspectAsync(cid, cancellationToken)).ToQueryResult();

    /// <summary>
    /// What this undercluster holds of <paramref name="cid"/> for this gateway, kept apart so placement can combine several
    /// underclusters' answers. Queries that come while several are already out go together (<see cref="QueryBatcher"/>).
    /// </summary>
    public Task<PlacedPin> InspectAsync(Cid cid, CancellationToken cancellationToken) => _queries.InspectAsync(cid, cancellationToken);

    private async Task<PlacedPin> InspectOneAsync(Cid cid, CancellationToken cancellationToken)
    {
        var status = await Client.GetStatusAsync(cid, local: false, QueryView.Status, cancellationToken);
        if (!status.TryGetValue(out var info, out var failure))
        {
            return PlacedPin.Unknown(Name, GatewayFailure.From(failure));
        }

        // Not in the pinset: every peer answers unpinned and the status carries no metadata.
        if (!_ownership.IsOwner(info.Metadata))
        {
            return PlacedPin.NotOwned(Name);
        }

        if (_ownership.PinFromStatus(info) is { } shaped)
        {
            return Judge(shaped, info);
        }

        var read = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!read.TryGetValue(out var stored, out failure))
        {
            return PlacedPin.Unknown(Name, GatewayFailure.From(failure));
        }

        return stored is null || !_ownership.IsOwner(stored.Metadata) ? PlacedPin.NotOwned(Name) : Judge(stored, info);
    }

    /// <summary>
    /// A batch of queries (<see cref="QueryBatcher"/>) belongs to no one caller, so no caller's cancellation ends it; twice the
    /// undercluster's <c>timeout</c> bounds its status answer (<see cref="Undercluster.FetchStatusAsync(IReadOnlyList{string}, Action{GlobalPinInfo}, CancellationToken)"/>).
    /// </summary>
    private Task<Dictionary<string, PlacedPin>> InspectQueuedAsync(IReadOnlyList<string> cids, Action<string, PlacedPin> onAnswer) =>
        InspectBatchAsync(cids, known: null, CancellationToken.None, onAnswer);

    /// <summary>
    /// <see cref="InspectAsync"/> for a batch, in one <c>GET /pins?cids=…</c> (the status carries the metadata, so
    /// ownership) plus one <c>GET /allocations/{cid}</c> per CID owned here whose stored pin neither <paramref name="known"/>
    /// holds nor the status's shape key describes (the rule needs mode and replication, which the status lacks). Null items
    /// never occur: every CID gets an answer, or the whole batch is <see cref="PlacedKind.Unknown"/>.
    /// <paramref name="onAnswer"/> hears each answer the status item alone gives as soon as that item arrives: the
    /// undercluster sends items as each CID's status completes, so one slow CID need not hold back the others.
    /// </summary>
    public async Task<Dictionary<string, PlacedPin>> InspectBatchAsync(IReadOnlyList<string> cids, IReadOnlyDictionary<string, ClusterPin>? known, CancellationToken cancellationToken, Action<string, PlacedPin>? onAnswer = null)
    {
        var statuses = new Dictionary<string, GlobalPinInfo>(cids.Count, StringComparer.Ordinal);
        var failure = await _undercluster.FetchStatusAsync(
            cids,
            s =>
            {
                statuses[s.Cid ?? ""] = s;
                if (onAnswer is not null && s.Cid is { } cid && JudgeFromStatus(cid, s, known) is { } answer)
                {
                    onAnswer(cid, answer);
                }
            },
            cancellationToken);
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
            else if (JudgeFromStatus(cid, info, known) is { } answer)
            {
                answers[cid] = answer;
            }
            else if (!Cid.TryParse(cid, out var parsed, out var invalid))
            {
                // The CID came from this undercluster's own answers (the listing); one it cannot name is not judged.
                answers[cid] = PlacedPin.Unknown(Name, new GatewayFailure($"undercluster \"{Name}\" listed \"{cid}\", which is not a CID: {invalid}", Transient: false));
            }
            else
            {
                var read = await Client.GetAllocationAsync(parsed, cancellationToken);
                answers[cid] = !read.TryGetValue(out var stored, out var readFailure) ? PlacedPin.Unknown(Name, GatewayFailure.From(readFailure))
                    : stored is null || !_ownership.IsOwner(stored.Metadata) ? PlacedPin.NotOwned(Name)
                    : Judge(stored, info);
                onAnswer?.Invoke(cid, answers[cid]);
            }
        }

        return answers;
    }

    /// <summary>The answer a status item gives by itself; null when the rule needs the stored pin (no usable shape key).</summary>
    private PlacedPin? JudgeFromStatus(string cid, GlobalPinInfo info, IReadOnlyDictionary<string, ClusterPin>? known) =>
        !_ownership.IsOwner(info.Metadata) ? PlacedPin.NotOwned(Name)
        : known is not null && known.TryGetValue(cid, out var pin) ? Judge(pin, info)
        : _ownership.PinFromStatus(info) is { } shaped ? Judge(shaped, info)
        : null;

    private PlacedPin Judge(ClusterPin stored, GlobalPinInfo info)
    {
        var verdict = PinnedRule.Evaluate(_options.PinnedWhen, stored, info, Name);
        return PlacedPin.Owned(Name, verdict.State, PinRewrite.ModeOf(stored), verdict.Problem);
    }

    /// <inheritdoc cref="UnderclusterPinLister.ListAsync"/>
    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => _lister.ListAsync(cancellationToken);

    /// <summary>
    /// Whether a pin/add's write is read back before its wait (docs/design/ownership.md, "Races", rule 1). Under
    /// <c>pin_wait: pinned</c> the wait that follows succeeds only on a status carrying our key, and re-establishes a lost one
    /// (rule 2), so the read-back only learned earlier what the wait learns anyway: one undercluster round trip per pin/add
    /// under the CID's lock. Under <c>pin_wait: accepted</c> nothing waits, and the read-back is the only check.
    /// A re-establishing wait still reads back: there the repair's bound and random back-off keep two gateways out of step.
    /// </summary>
    private bool ReadBack => _options.PinWait == PinWaitMode.Accepted;

    public async Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(intent.Cid.ToString(), cancellationToken);
        var begun = _time.GetTimestamp();
        var ensured = await _writer.EnsureOwnedAsync(intent.Cid, intent.Mode, ReadBack, cancellationToken);
        if (ensured.Failure is { } failure)
        {
            return PinStartResult.Failed(failure);
        }

        await RetryIfFailedAsync(intent.Cid, ensured, cancellationToken);
        return PinStartResult.Started(_waits.Start(intent.Cid, intent.Mode, ensured.Pin!, _time.GetElapsedTime(begun), ReestablishAsync, cancellationToken));
    }

    /// <summary>
    /// A pin/add for a pin of ours that is already in the pinset is the overcluster retrying (its recover loop,
    /// <c>pin_recover_interval</c>, or <c>ipfs-cluster-ctl recover</c>): when peers of the undercluster ended the
    /// attempt in <c>pin_error</c> or <c>unexpectedly_unpinned</c>, nothing retries there until someone asks, so
    /// the gateway asks with <c>POST /pins/{cid}/recover</c>, which re-queues exactly those peers' pin operations
    /// without a state update (docs/protocol/cluster-rest.md §5.10). Without it the wait would see the old error and the peer
    /// would retry forever. A failure to ask is logged only: the wait that follows reports what the peers do.
    /// </summary>
    private async Task RetryIfFailedAsync(Cid cid, OwnershipWriter.Ensured ensured, CancellationToken cancellationToken)
    {
        if (!ensured.Untouched)
        {
            return;
        }

        var read = await Client.GetStatusAsync(cid, local: false, cancellationToken);
        if (!read.TryGetValue(out var status, out var failure))
        {
            CompositionLog.PinRetryFailed(_logger, cid, Name, GatewayFailure.From(failure).Message);
            return;
        }

        var failed = status.PeerMap.Values.Where(p => p.Status is TrackerStatus.PinError or TrackerStatus.UnexpectedlyUnpinned).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        var recover = await Client.RecoverAsync(cid, local: false, cancellationToken);
        if (!recover.TryGetValue(out _, out failure))
        {
            CompositionLog.PinRetryFailed(_logger, cid, Name, GatewayFailure.From(failure).Message);
            return;
        }

        CompositionLog.PinRetried(_logger, cid, Name, failed[0].Status, failed.Count);
    }

    /// <summary>
    /// The common case is a CID this gateway does not own (the Go peer sends pin/rm for every pin allocated to
    /// other overcluster peers, docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6): one <c>GET /allocations/{cid}</c>, then
    /// <see cref="UnpinOutcome.NotPinned"/>.
    /// </summary>
    public async Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(cid.ToString(), cancellationToken);
        _waits.End(cid, new GatewayFailure($"{cid} was unpinned while the pin was being waited on", Transient: false));

        return await _writer.ReleaseAsync(cid, cancellationToken);
    }

    /// <summary>
    /// <c>pin/update</c>: <c>to</c> is pinned with <c>pin-update=from</c> so the undercluster copies <c>from</c>'s
    /// allocations and options (the content is mostly on those peers already; docs/protocol/cluster-rest.md §7), then made
    /// this gateway's alone (the copy brought <c>from</c>'s owners along), then waited on like a pin. When
    /// <c>to</c> already exists it is joined instead: a pin-update would replace its options for its other owners.
    /// </summary>
    public async Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken)
    {
        if (from == to)
        {
            return await StartPinAsync(new PinIntent(to, PinMode.Recursive), cancellationToken);
        }

        PinMode mode;
        OwnershipWriter.Ensured ensured;
        long begun;
        using (await _locks.AcquireAsync(to.ToString(), cancellationToken))
        {
            begun = _time.GetTimestamp();
            var fromRead = await Client.GetAllocationAsync(from, cancellationToken);
            if (!fromRead.TryGetValue(out var fromPin, out var failure))
            {
                return PinStartResult.Failed(GatewayFailure.From(failure));
            }

            _writer.NoteOtherOwners(fromPin);

            if (fromPin is null || !_ownership.IsOwner(fromPin.Metadata))
            {
                // Kubo's text for an update whose source is not pinned (core/commands/pin/pin.go).
                return PinStartResult.Failed(new GatewayFailure("'from' cid was not recursively pinned already", Transient: false) { Kind = GatewayFailureKind.NotPinned });
            }

            mode = PinRewrite.ModeOf(fromPin);
            var toRead = await Client.GetAllocationAsync(to, cancellationToken);
            if (!toRead.TryGetValue(out var toPin, out failure))
            {
                return PinStartResult.Failed(GatewayFailure.From(failure));
            }

            _writer.NoteOtherOwners(toPin);

            if (toPin is null && await _writer.CreateByUpdateAsync(from, to, mode, cancellationToken) is { } updateFailure)
            {
                return PinStartResult.Failed(updateFailure);
            }

            ensured = await _writer.EnsureOwnedAsync(to, mode, ReadBack, cancellationToken);
            if (ensured.Failure is { } ensureFailure)
            {
                return PinStartResult.Failed(ensureFailure);
            }

            await RetryIfFailedAsync(to, ensured, cancellationToken);
        }

        var wait = _waits.Start(to, mode, ensured.Pin!, _time.GetElapsedTime(begun), ReestablishAsync, cancellationToken);
        return PinStartResult.Started(unpinFrom ? new ThenPinWait(wait, () => UnpinFromAsync(from, cancellationToken)) : wait);
    }

    private async Task<GatewayFailure?> UnpinFromAsync(Cid from, CancellationToken cancellationToken)
    {
        var result = await UnpinAsync(from, cancellationToken);
        return result.Outcome == UnpinOutcome.Failed ? result.Failure : null;
    }

    /// <summary>
    /// A waited pin vanished or lost our key (another gateway's delete or a concurrent write): put it back,
    /// under the CID's lock, unless the wait ended meanwhile (an unpin ends waits before touching ownership).
    /// </summary>
    private async Task ReestablishAsync(PinWait wait)
    {
        try
        {
            using var held = await _locks.AcquireAsync(wait.Cid.ToString(), wait.CancellationToken);
            if (wait.IsCompleted)
            {
                return;
            }

            CompositionLog.WaitReestablishing(_logger, wait.Cid, Name);
            var ensured = await _writer.EnsureOwnedAsync(wait.Cid, wait.Mode, readBack: true, wait.CancellationToken);
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

}
