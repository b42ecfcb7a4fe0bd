using CompositeGateway.Go;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// Pin, unpin, pin-update, recover and seeding against the emulated shared state, with ipfs-cluster's
/// checks and error texts (<c>cluster.go</c> pin/setupPin/PinUpdate/Unpin; docs/protocol/cluster-rest.md §4, §5.4–§5.7, §7).
/// Errors are values: 404 only for <c>pin is not part of the pinset</c>, 500 for the rest (§1.2).
/// </summary>
internal static class LabPinning
{
    public const string NotFound = "pin is not part of the pinset";

    /// <summary>
    /// Pins <paramref name="cid"/>. <paramref name="fixedAllocations"/> are peers already chosen (the
    /// adder's block destinations): the allocator is skipped when it is non-empty, as in cluster.go.
    /// </summary>
    public static (ClusterPin? Pin, ClusterError? Error) Pin(
        LabCluster cluster, string cid, LabPinRequest request, bool pathRoute, IReadOnlyList<int>? fixedAllocations = null)
    {
        var now = cluster.Time.GetUtcNow();
        lock (cluster.Store.WriteLock)
        {
            if (request.PinUpdate is { } from && from != cid)
            {
                return PinUpdate(cluster, from, cid, request, now);
            }

            var hasExisting = cluster.Store.TryGet(cid, now.UtcTicks, out var existing);
            var min = request.ReplicationMin == 0 ? cluster.Options.ReplicationFactorMin : request.ReplicationMin;
            var max = request.ReplicationMax == 0 ? cluster.Options.ReplicationFactorMax : request.ReplicationMax;
            if (ReplicationCheck.Validate(min, max) is { } replicationError)
            {
                return Fail(replicationError);
            }

            if (request.ExpireAt is { } expireAt && expireAt < now)
            {
                return Fail("pin.ExpireAt set before current time");
            }

            if (hasExisting && existing.MaxDepth == -1 && request.Mode != "recursive")
            {
                return Fail($"cannot repin a CID which is already pinned in recursive mode (new pin is pinned as {request.Mode}). Unpin it first.");
            }

            var (indexes, allocationError) = fixedAllocations is { Count: > 0 }
                ? (fixedAllocations, null)
                : LabAllocator.Allocate(cluster, min, max, hasExisting && !existing.IsEverywhere ? existing.Allocations : null, request.UserAllocations);
            if (allocationError is not null)
            {
                return Fail(allocationError);
            }

            var allocations = cluster.Store.Intern(indexes!);
            // POST /pins/{cid} forces max_depth -1 whatever the mode (docs/protocol/cluster-rest.md §5.4 direct-mode caveat); the path route keeps direct.
            var maxDepth = (sbyte)(pathRoute && request.Mode == "direct" ? 0 : -1);
            var extras = new PinExtras
            {
                Metadata = request.Metadata is { Length: > 0 } metadata ? metadata : null,
                Origins = request.Origins?.ToArray(),
                ShardSize = request.ShardSize,
                PinUpdate = request.PinUpdate,
            };
            var stored = new StoredPin
            {
                Name = request.Name,
                Extras = extras.IsEmpty ? null : extras,
                Allocations = allocations,
                TimestampTicks = now.UtcTicks,
                ExpireAtTicks = request.ExpireAt?.UtcTicks ?? 0,
                Size = cluster.ContentSizeOf(cid),
                ReplicationMin = (short)min,
                ReplicationMax = (short)max,
                MaxDepth = maxDepth,
                Type = PinTypes.Data,
            };
            // A re-pin is re-tracked by every peer (docs/protocol/cluster-rest.md §5.7): a pin operation still queued or
            // running, or done, carries on; one that ended in error is replaced by a new attempt (ipfs-cluster's
            // optracker.TrackNewOperation), as a recover would.
            stored = !hasExisting ? StartAttempt(cluster, cid, stored, now.UtcTicks, attempt: 0)
                : HasPinError(cluster, cid, existing, now.UtcTicks) ? StartAttempt(cluster, cid, stored, now.UtcTicks, (byte)Math.Min(existing.Attempt + 1, byte.MaxValue))
                : stored with { QueuedAtTicks = existing.QueuedAtTicks, DelayMs = existing.DelayMs, FailMask = existing.FailMask, Attempt = existing.Attempt };
            stored = stored with { AwaitingBlocks = cluster.Fetch(cid, stored) && cluster.Options.RequireBlocks };
            cluster.Store.Put(cid, stored);
            cluster.Tracked(cid, stored);

            var answer = new ClusterPin
            {
                ReplicationFactorMin = min,
                ReplicationFactorMax = max,
                Name = request.Name,
                Mode = request.Mode,
                ShardSize = request.ShardSize,
                UserAllocations = request.UserAllocations,
                ExpireAt = request.ExpireAt ?? GoTime.Zero,
                Metadata = (request.Metadata ?? []).ToDictionary(StringComparer.Ordinal),
                PinUpdate = request.PinUpdate,
                Origins = request.Origins,
                Cid = cid,
                Type = "pin",
                Allocations = allocations.Ids,
                MaxDepth = maxDepth,
                Reference = null,
                Timestamp = now,
            };
            return (answer, null);
        }
    }

    public static (ClusterPin? Pin, ClusterError? Error) Unpin(LabCluster cluster, string cid)
    {
        var now = cluster.NowTicks;
        lock (cluster.Store.WriteLock)
        {
            if (!cluster.Store.TryGet(cid, now, out var pin))
            {
                return (null, new ClusterError(404, NotFound));
            }

            if (pin.Type != PinTypes.Data)
            {
                return Fail(pin.Type == PinTypes.Shard
                    ? "cannot unpin a shard directly. Unpin content root CID instead"
                    : "cannot unpin a Cluster DAG directly. Unpin content root CID instead");
            }

            cluster.Store.Remove(cid, out _);
            cluster.Untracked(cid);
            var delayMs = DelayFor(cluster, cid);
            if (delayMs > 0)
            {
                cluster.Store.StartUnpin(cid, new UnpinOperation(now, delayMs, pin.Allocations.Mask, pin.IsEverywhere));
            }

            return (PinViews.ReadBack(cid, pin), null);
        }
    }

    private static bool HasPinError(LabCluster cluster, string cid, in StoredPin pin, long nowTicks)
    {
        foreach (var peer in cluster.Peers)
        {
            if (PeerStatusMachine.Of(cluster, cid, pin, peer, nowTicks, nowTicks).Status == TrackerStatus.PinError)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Re-queues the pin on peers showing <c>pin_error</c>; true when something was re-queued.</summary>
    public static bool Recover(LabCluster cluster, string cid, bool contactedOnly)
    {
        var now = cluster.NowTicks;
        lock (cluster.Store.WriteLock)
        {
            if (!cluster.Store.TryGet(cid, now, out var pin))
            {
                return false;
            }

            var failing = false;
            foreach (var peer in cluster.Peers)
            {
                if ((!contactedOnly || peer.Index == 0)
                    && PeerStatusMachine.Of(cluster, cid, pin, peer, now, now).Status == TrackerStatus.PinError)
                {
                    failing = true;
                }
            }

            if (!failing)
            {
                return false;
            }

            if (cluster.Trackers is { } trackers)
            {
                var queued = false;
                foreach (var peer in cluster.Peers)
                {
                    if ((!contactedOnly || peer.Index == 0) && trackers[peer.Index] is { } tracker)
                    {
                        queued |= tracker.Recover(cid, pin);
                    }
                }

                if (trackers.All(t => t is not null))
                {
                    return queued;
                }
            }

            var attempt = (byte)Math.Min(pin.Attempt + 1, byte.MaxValue);
            var recovered = StartAttempt(cluster, cid, pin, now, attempt);
            if (contactedOnly)
            {
                // Only the contacted peer retries; the others keep their outcome.
                var keep = pin.FailMask & ~1UL;
                recovered = recovered with { FailMask = keep | (recovered.FailMask & 1UL) };
            }

            cluster.Store.Put(cid, recovered);
            return true;
        }
    }

    /// <summary>
    /// Bulk-loads <paramref name="count"/> synthetic pins (<see cref="LabCids.Synthetic"/>) already
    /// pinned on their peers, with the cluster's default replication and, when given, the same
    /// <paramref name="metadata"/> on every pin (one shared copy, so a million owned pins stay cheap).
    /// Returns the first index used.
    /// </summary>
    public static long Seed(LabCluster cluster, int count, long sizePerPin, string namePrefix, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var now = cluster.NowTicks;
        var min = cluster.Options.ReplicationFactorMin;
        var max = cluster.Options.ReplicationFactorMax;
        // Sorted by key, as PinExtras keeps metadata (Go marshals maps sorted).
        var extras = metadata is { Count: > 0 }
            ? new PinExtras { Metadata = [.. metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)] }
            : null;
        lock (cluster.Store.WriteLock)
        {
            var first = cluster.ReserveSeedIndexes(count);
            // Free space only moves the allocation when pins have a size; otherwise decide once.
            var fixedAllocation = sizePerPin == 0 ? Allocation() : null;
            cluster.Store.AddNew(Enumerable.Range(0, count).Select(i => (LabCids.Synthetic(first + i), new StoredPin
            {
                Name = namePrefix.Length == 0 ? "" : namePrefix + (first + i),
                Extras = extras,
                Allocations = fixedAllocation ?? Allocation(),
                TimestampTicks = now,
                QueuedAtTicks = 0,
                Size = sizePerPin,
                ReplicationMin = (short)min,
                ReplicationMax = (short)max,
                MaxDepth = -1,
                Type = PinTypes.Data,
            })), count);
            return first;
        }

        AllocationSet Allocation() => cluster.Store.Intern(LabAllocator.Allocate(cluster, min, max, null, null).Allocations ?? []);
    }

    private static (ClusterPin? Pin, ClusterError? Error) PinUpdate(LabCluster cluster, string from, string to, LabPinRequest request, DateTimeOffset now)
    {
        if (!cluster.Store.TryGet(from, now.UtcTicks, out var existing))
        {
            return (null, new ClusterError(404, NotFound));
        }

        if (existing.Type != PinTypes.Data)
        {
            return Fail("this pin type cannot be updated");
        }

        // docs/protocol/cluster-rest.md §7: everything comes from <from>; only a non-empty name and a future expire-at from the request.
        var updated = existing with
        {
            Name = request.Name != "" ? request.Name : existing.Name,
            ExpireAtTicks = request.ExpireAt is { } at && at > now ? at.UtcTicks : existing.ExpireAtTicks,
            TimestampTicks = now.UtcTicks,
            Extras = (existing.Extras ?? new PinExtras()) with { PinUpdate = from },
            Size = cluster.ContentSizeOf(to),
        };
        updated = StartAttempt(cluster, to, updated, now.UtcTicks, attempt: 0);
        updated = updated with { AwaitingBlocks = cluster.Fetch(to, updated) && cluster.Options.RequireBlocks };
        cluster.Store.Put(to, updated);
        cluster.Tracked(to, updated);
        return (PinViews.ReadBack(to, updated) with { Timestamp = now }, null);
    }

    private static StoredPin StartAttempt(LabCluster cluster, string cid, StoredPin pin, long nowTicks, byte attempt)
    {
        var faults = cluster.Faults.Current;
        var failCid = faults.PinErrorCids is { } cids && cids.Contains(cid);
        var rate = faults.PinErrorRate ?? 0;
        ulong failMask = 0;
        foreach (var peer in cluster.Peers)
        {
            if (pin.IsAllocatedTo(peer.Index) && (failCid || (rate > 0 && Random.Shared.NextDouble() < rate)))
            {
                failMask |= 1UL << peer.Index;
            }
        }

        var delayMs = DelayFor(cluster, cid);
        if (delayMs > 0)
        {
            cluster.HasDelayedPins = true;
        }

        return pin with { QueuedAtTicks = nowTicks, DelayMs = delayMs, FailMask = failMask, Attempt = attempt };
    }

    private static int DelayFor(LabCluster cluster, string cid)
    {
        var faults = cluster.Faults.Current;
        var delay = faults.SlowPins is { } slow && slow.TryGetValue(cid, out var perCid)
            ? perCid
            : faults.PinDelay ?? cluster.Options.PinDelay;
        return (int)Math.Min(delay.TotalMilliseconds, int.MaxValue);
    }

    private static (ClusterPin?, ClusterError?) Fail(string message) => (null, new ClusterError(500, message));
}
