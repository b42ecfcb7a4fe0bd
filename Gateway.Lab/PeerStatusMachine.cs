using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>One peer's tracker view of one CID (the PinInfoShort fields that vary).</summary>
internal readonly record struct PeerPinStatus(string Status, long TimestampTicks, string Error, int AttemptCount, bool PriorityPin);

/// <summary>
/// The per-peer pin life cycle, computed from timestamps instead of timers so it costs nothing per
/// idle pin and follows an injected (fake) clock: an allocated peer shows <c>pin_queued</c> for the
/// first half of the pin delay, <c>pinning</c> for the second half, then <c>pinned</c> (or
/// <c>pin_error</c> when the attempt was chosen to fail); with require-blocks it stays <c>pinning</c>
/// while blocks of the DAG are missing. After an unpin the peers that held the pin
/// show <c>unpin_queued</c> then <c>unpinning</c> for the delay, then <c>unpinned</c>.
/// </summary>
internal static class PeerStatusMachine
{
    /// <summary>
    /// <paramref name="remoteTicks"/> is the timestamp reported for <c>remote</c>: "now" when the
    /// cluster fills it in, the pin's time when the peer's own tracker does.
    /// </summary>
    public static PeerPinStatus Of(LabCluster cluster, string cid, in StoredPin pin, LabPeer peer, long nowTicks, long remoteTicks)
    {
        if (!pin.IsAllocatedTo(peer.Index))
        {
            return new PeerPinStatus(TrackerStatus.Remote, remoteTicks, "", 0, false);
        }

        if (cluster.IsDown(peer))
        {
            return new PeerPinStatus(TrackerStatus.ClusterError, nowTicks, LabCluster.PeerDownError, 0, false);
        }

        if (cluster.Trackers?[peer.Index] is { } tracker)
        {
            // A real daemon behind this peer: its status is what the connector concluded.
            return tracker.StatusOf(cid);
        }

        var delay = pin.DelayMs * TimeSpan.TicksPerMillisecond;
        var elapsed = nowTicks - pin.QueuedAtTicks;
        if (elapsed < delay / 2)
        {
            return new PeerPinStatus(TrackerStatus.PinQueued, pin.QueuedAtTicks, "", pin.Attempt, true);
        }

        if (elapsed < delay || pin.AwaitingBlocks)
        {
            return new PeerPinStatus(TrackerStatus.Pinning, pin.QueuedAtTicks, "", pin.Attempt + 1, true);
        }

        if (((pin.FailMask >> peer.Index) & 1) != 0)
        {
            var message = cluster.Faults.Current.PinErrorMessage ?? LabFaults.DefaultPinErrorMessage;
            return new PeerPinStatus(TrackerStatus.PinError, pin.QueuedAtTicks + delay, message, pin.Attempt + 1, false);
        }

        // The stateless tracker reports pinned items with the pin's (whole-second) state timestamp.
        return new PeerPinStatus(TrackerStatus.Pinned, WholeSeconds(pin.TimestampTicks), "", 0, false);
    }

    public static PeerPinStatus OfUnpin(in UnpinOperation operation, long nowTicks)
    {
        var elapsed = nowTicks - operation.StartTicks;
        var status = elapsed < operation.DelayMs * TimeSpan.TicksPerMillisecond / 2 ? TrackerStatus.UnpinQueued : TrackerStatus.Unpinning;
        return new PeerPinStatus(status, operation.StartTicks, "", status == TrackerStatus.Unpinning ? 1 : 0, false);
    }

    public static long WholeSeconds(long ticks) => ticks - (ticks % TimeSpan.TicksPerSecond);
}

/// <summary>TrackerStatus filter bits (ipfs-cluster <c>TrackerStatusFromString</c>, docs/protocol/cluster-rest.md §3.1).</summary>
internal static class StatusFilter
{
    private static readonly Dictionary<string, int> Bits = new(StringComparer.Ordinal)
    {
        [TrackerStatus.ClusterError] = 1 << 0,
        [TrackerStatus.PinError] = 1 << 1,
        [TrackerStatus.UnpinError] = 1 << 2,
        [TrackerStatus.Pinned] = 1 << 3,
        [TrackerStatus.Pinning] = 1 << 4,
        [TrackerStatus.Unpinning] = 1 << 5,
        [TrackerStatus.Unpinned] = 1 << 6,
        [TrackerStatus.Remote] = 1 << 7,
        [TrackerStatus.PinQueued] = 1 << 8,
        [TrackerStatus.UnpinQueued] = 1 << 9,
        [TrackerStatus.Sharded] = 1 << 10,
        [TrackerStatus.UnexpectedlyUnpinned] = 1 << 11,
        ["error"] = 0b111,
        ["queued"] = (1 << 8) | (1 << 9),
    };

    /// <summary>Bits of a comma list; spaces removed, unknown names ignored; 0 = none known.</summary>
    public static int Parse(string text)
    {
        var bits = 0;
        foreach (var word in text.Replace(" ", "", StringComparison.Ordinal).Split(','))
        {
            bits |= Bits.GetValueOrDefault(word);
        }

        return bits;
    }

    /// <summary>An empty filter (0) matches everything.</summary>
    public static bool Matches(int filter, string status) => filter == 0 || (Bits.GetValueOrDefault(status) & filter) != 0;
}
