using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Every write of this gateway's ownership into one undercluster's pinset (docs/design/ownership.md): a
/// read-merge-write of the whole pin (a re-pin replaces everything, docs/protocol/cluster-rest.md §5.7) followed, unless a
/// status wait confirms it instead, by a read-back that repairs a key lost to a concurrent writer, up to <see cref="MaxWriteAttempts"/> writes; and the
/// unpin protocol, which removes only this gateway's key and deletes the pin only when no owner remains and a
/// gateway created it. Callers hold the CID's lock.
/// </summary>
internal sealed class OwnershipWriter(Undercluster undercluster, PinPathOptions options, Ownership ownership, TimeProvider time, ILogger logger)
{
    /// <summary>Writes of one pin per operation before giving up on concurrent writers that keep replacing it.</summary>
    internal const int MaxWriteAttempts = 3;

    private ClusterClient Client => undercluster.Client;

    private string Name => undercluster.Name;

    /// <summary>
    /// Releases this gateway's ownership of <paramref name="cid"/>: <see cref="UnpinOutcome.NotPinned"/> when it holds
    /// none (one <c>GET /allocations/{cid}</c>), else its key removed, and the pin deleted if it was the last owner.
    /// </summary>
    public async Task<UnpinResult> ReleaseAsync(Cid cid, CancellationToken cancellationToken)
    {
        var read = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!read.TryGetValue(out var stored, out var failure))
        {
            return Failed(failure);
        }

        // Before the "not ours" answer: a cylinder's peers send pin/rm for every pin allocated to the others, which is
        // where another gateway's key shows first.
        NoteOtherOwners(stored);
        if (stored is null || !ownership.IsOwner(stored.Metadata))
        {
            return new UnpinResult(UnpinOutcome.NotPinned);
        }

        for (var attempt = 1; attempt <= MaxWriteAttempts; attempt++)
        {
            var others = ownership.OtherOwners(stored.Metadata);
            var created = ownership.CreatedByGateway(stored.Metadata);
            if (others.Count == 0 && created)
            {
                var deleted = await DeleteIfOwnerlessAsync(cid, cancellationToken);
                if (deleted.Outcome != UnpinOutcome.Unpinned)
                {
                    return deleted;
                }
            }
            else
            {
                // Other owners remain, or the pin existed before any gateway touched it: only our key goes.
                var write = await WriteAsync(cid, PinRewrite.Repost(stored, ownership.WithoutOwner(stored.Metadata), mode: null, time.GetUtcNow()), cancellationToken);
                if (!write.IsSuccess)
                {
                    return Failed(write.Failure);
                }

                CompositionLog.OwnershipReleased(logger, cid, Name, others.Count, created);
            }

            // Read back once the settle delay has passed: another gateway that read the pin before our write and
            // writes after it (releasing or joining from its older snapshot) puts our key back, or re-creates the
            // deleted pin with it. Reading at once would miss a write landing a few milliseconds later, and the key
            // would then outlive every owner's unpin (docs/design/ownership.md, "Races").
            await SettleAsync(cancellationToken);
            read = await Client.GetAllocationAsync(cid, cancellationToken);
            if (!read.TryGetValue(out stored, out failure))
            {
                return Failed(failure);
            }

            if (stored is null || !ownership.IsOwner(stored.Metadata))
            {
                return new UnpinResult(UnpinOutcome.Unpinned);
            }

            CompositionLog.ReleaseUndone(logger, cid, Name, attempt);
            if (attempt == MaxWriteAttempts)
            {
                break;
            }

            // As for a pin's repair: fall out of step with the writer that restored our key before releasing again.
            await BackOffAsync(attempt, cancellationToken);
            read = await Client.GetAllocationAsync(cid, cancellationToken);
            if (!read.TryGetValue(out stored, out failure))
            {
                return Failed(failure);
            }

            if (stored is null || !ownership.IsOwner(stored.Metadata))
            {
                return new UnpinResult(UnpinOutcome.Unpinned);
            }
        }

        return new UnpinResult(UnpinOutcome.Failed, new GatewayFailure(
            $"undercluster \"{Name}\": could not remove this gateway's ownership of {cid}: after {MaxWriteAttempts} writes another writer keeps restoring it",
            Transient: true));
    }

    /// <summary><c>pin/update</c>'s copy: <paramref name="to"/> created with <c>pin-update=</c><paramref name="from"/>, then made this gateway's alone.</summary>
    public async Task<GatewayFailure?> CreateByUpdateAsync(Cid from, Cid to, PinMode mode, CancellationToken cancellationToken)
    {
        var update = await Client.PinAsync(to, new PinRequest { PinUpdate = from.ToString(), Mode = mode }, cancellationToken);
        if (!update.TryGetValue(out var copied, out var failure))
        {
            return GatewayFailure.From(failure);
        }

        var now = time.GetUtcNow();
        var desired = ownership.ForUpdatedPin(copied.Metadata, now);
        if (!Ownership.SameMetadata(copied.Metadata, desired))
        {
            var write = await WriteAsync(to, PinRewrite.Repost(copied, desired, mode: null, now), cancellationToken);
            if (!write.IsSuccess)
            {
                return GatewayFailure.From(write.Failure);
            }
        }

        CompositionLog.PinCreated(logger, to, Name, ownership.OwnerId);
        return null;
    }

    /// <summary>
    /// Makes the pinset hold <paramref name="cid"/> with this gateway's owner key and a mode covering
    /// <paramref name="mode"/>, writing only when something is missing (a re-pin is a state update on every
    /// undercluster peer, docs/protocol/cluster-rest.md §5.7). With <paramref name="readBack"/>, each write is followed by a read-back; a key
    /// lost to a concurrent writer is merged in again, up to <see cref="MaxWriteAttempts"/> writes. Without it the write's own answer
    /// stands for the pin (it is the pin as written, with its allocations, docs/protocol/cluster-rest.md §5.4): only for a caller that
    /// then waits on the status, which declares nothing done without our key in the status metadata and re-establishes a lost key
    /// (<see cref="PinWait.OnStatus"/>), so the read-back would only see the same thing earlier. Callers hold the CID's lock.
    /// </summary>
    public async Task<Ensured> EnsureOwnedAsync(Cid cid, PinMode mode, bool readBack, CancellationToken cancellationToken)
    {
        ClusterPin? answered = null;
        for (var writes = 0; ; writes++)
        {
            ClusterPin? stored;
            if (answered is not null)
            {
                // Our own write's answer: it carries our key, so only its shape key can be left to complete (the first pin a
                // gateway creates, written before it knew the cluster's default replication).
                stored = answered;
            }
            else
            {
                var read = await Client.GetAllocationAsync(cid, cancellationToken);
                if (!read.TryGetValue(out stored, out var readFailure))
                {
                    return new Ensured(null, GatewayFailure.From(readFailure));
                }

                NoteOtherOwners(stored);
            }

            // A rewrite after our own write is a repair only when our key is gone. The first pin a gateway creates
            // is written before it knows the cluster's default replication, so the read-back (or the write's answer) finds only the shape
            // key to complete: no other writer is involved, and a warning would send an operator looking for one.
            if (writes > 0 && (stored is null || !ownership.IsOwner(stored.Metadata)))
            {
                CompositionLog.OwnershipRepaired(logger, cid, Name, writes);

                // The writer that replaced ours is often in a loop of its own (its next pin or unpin of the CID).
                // Re-writing at once keeps the two in step, each undoing the other; a random pause lets its
                // read-merge-write finish, and the repair then merges from a read taken after it.
                await BackOffAsync(writes, cancellationToken);
                var reread = await Client.GetAllocationAsync(cid, cancellationToken);
                if (!reread.TryGetValue(out stored, out var rereadFailure))
                {
                    return new Ensured(null, GatewayFailure.From(rereadFailure));
                }
            }

            var now = time.GetUtcNow();
            PinRequest request;
            if (stored is null)
            {
                request = new PinRequest
                {
                    Mode = mode,
                    ReplicationMin = options.ReplicationMin == 0 ? null : options.ReplicationMin,
                    ReplicationMax = options.ReplicationMax == 0 ? null : options.ReplicationMax,
                    Metadata = ownership.WithOwner(null, now, markCreated: true),
                };
            }
            else if (stored.Type != "pin")
            {
                return new Ensured(null, new GatewayFailure(
                    $"undercluster \"{Name}\": {cid} is a {stored.Type} there; the gateway only pins regular data pins", Transient: false));
            }
            else if (ownership.IsOwner(stored.Metadata) && PinRewrite.Covers(stored, mode) && !ownership.ShapeOutdated(stored))
            {
                // Untouched only when this call wrote nothing: the read-back after our own write finds the pin as
                // wanted too, and a fresh write has re-queued every peer already (no recover is needed).
                return new Ensured(stored, null) { Untouched = writes == 0 };
            }
            else
            {
                request = PinRewrite.Repost(stored, ownership.WithOwner(stored.Metadata, now, markCreated: false), mode, now);
            }

            if (writes == MaxWriteAttempts)
            {
                return new Ensured(null, new GatewayFailure(
                    $"undercluster \"{Name}\": could not record this gateway's ownership of {cid}: after {MaxWriteAttempts} writes "
                        + "another writer keeps replacing the pin's metadata",
                    Transient: true));
            }

            var write = await WriteAsync(cid, request, cancellationToken);
            if (!write.TryGetValue(out var written, out var writeFailure))
            {
                return new Ensured(null, GatewayFailure.From(writeFailure));
            }

            if (stored is null)
            {
                if (options.ReplicationMin == 0)
                {
                    undercluster.LearnDefaultReplication(written);
                }

                CompositionLog.PinCreated(logger, cid, Name, ownership.OwnerId);
            }
            else if (!ownership.IsOwner(stored.Metadata))
            {
                // Only a write that added our key joins: one that completes our own pin's shape key (the first pin of
                // a fresh gateway) or upgrades its mode would otherwise read "joined" right after "created".
                CompositionLog.PinJoined(logger, cid, Name, ownership.OwnerId);
            }

            if (!readBack)
            {
                answered = written;
            }
        }
    }

    /// <summary>
    /// Last owner of a gateway-created pin: wait <see cref="PinPathOptions.UnpinRecheckDelay"/>, re-read, and
    /// delete only if still nobody else owns it. A joiner seen in the re-read keeps the pin (our key is then
    /// removed by a normal write).
    /// </summary>
    private async Task<UnpinResult> DeleteIfOwnerlessAsync(Cid cid, CancellationToken cancellationToken)
    {
        await SettleAsync(cancellationToken);
        var reread = await Client.GetAllocationAsync(cid, cancellationToken);
        if (!reread.TryGetValue(out var stored, out var failure))
        {
            return Failed(failure);
        }

        if (stored is null)
        {
            return new UnpinResult(UnpinOutcome.Unpinned);
        }

        if (ownership.OtherOwners(stored.Metadata).Count > 0)
        {
            CompositionLog.DeleteAverted(logger, cid, Name);
            var write = await WriteAsync(cid, PinRewrite.Repost(stored, ownership.WithoutOwner(stored.Metadata), mode: null, time.GetUtcNow()), cancellationToken);
            return write.IsSuccess ? new UnpinResult(UnpinOutcome.Unpinned) : Failed(write.Failure);
        }

        var delete = await Client.UnpinAsync(cid, cancellationToken);
        if (!delete.IsSuccess)
        {
            return Failed(delete.Failure);
        }

        CompositionLog.PinDeleted(logger, cid, Name);
        return new UnpinResult(UnpinOutcome.Unpinned);
    }

    /// <summary>
    /// Called with every pin read before a pin/add, pin/update or unpin writes: where another gateway writing into an
    /// undercluster declared <c>sole_gateway</c> shows itself (<see cref="Undercluster.SeenOtherGateway"/>).
    /// </summary>
    public void NoteOtherOwners(ClusterPin? stored)
    {
        if (stored is not null && !undercluster.SettlesPinWaits && ownership.OtherOwners(stored.Metadata) is [var other, ..])
        {
            undercluster.SeenOtherGateway(other);
        }
    }

    /// <summary>
    /// Before the <paramref name="attempt"/>th repair: between a half and one and a half settle delays per attempt
    /// made, at random, so that two gateways undoing each other's writes fall out of step.
    /// </summary>
    private async Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        if (options.UnpinRecheckDelay > TimeSpan.Zero)
        {
            var pause = options.UnpinRecheckDelay * attempt * (0.5 + Random.Shared.NextDouble());
            await Task.Delay(pause, time, cancellationToken);
        }
    }

    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (options.UnpinRecheckDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.UnpinRecheckDelay, time, cancellationToken);
        }
    }

    /// <summary>Direct pins go through the path route: <c>POST /pins/{cid}</c> would store them recursive (docs/protocol/cluster-rest.md §5.4 caveat).</summary>
    /// <remarks>Every write carries the shape key (<see cref="Ownership.WithShape"/>) so that queries need only the status answer.</remarks>
    private Task<ClusterResult<ClusterPin>> WriteAsync(Cid cid, PinRequest request, CancellationToken cancellationToken)
    {
        request = request with { Metadata = ownership.WithShape(request, undercluster.LearnedDefaultReplication) };
        return request.Mode == PinMode.Direct
            ? Client.PinPathAsync("/ipfs/" + cid, request, cancellationToken)
            : Client.PinAsync(cid, request, cancellationToken);
    }

    private static UnpinResult Failed(ClusterFailure failure) => new(UnpinOutcome.Failed, GatewayFailure.From(failure));

    /// <summary>The pin as stored once owned, or why it could not be.</summary>
    /// <summary>The pin as it now stands, or why not; <see cref="Untouched"/> when it was ours already and nothing was written.</summary>
    public readonly record struct Ensured(ClusterPin? Pin, GatewayFailure? Failure)
    {
        /// <summary>
        /// No write happened, so the undercluster's peers were not told anything: a pin attempt that ended in
        /// error stays in error unless someone asks for a retry (a write would have re-queued it, docs/protocol/cluster-rest.md §5.7).
        /// </summary>
        public bool Untouched { get; init; }
    }
}
