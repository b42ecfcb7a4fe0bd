using System.Collections.Concurrent;

namespace CompositeGateway.Lab;

/// <summary>
/// The emulated shared pinset (what ipfs-cluster keeps in its CRDT state). Reads are lock-free and
/// may run while writes happen (streams over a million pins do); writes are serialised so the
/// per-peer used-bytes accounting stays exact.
/// </summary>
internal sealed class LabPinStore
{
    private ConcurrentDictionary<string, StoredPin> _pins = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _expiring = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UnpinOperation> _unpinning = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AllocationSet> _allocationSets = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<LabPeer> _peers;

    public LabPinStore(IReadOnlyList<LabPeer> peers) => _peers = peers;

    /// <summary>Held by whoever reads-then-writes the pinset (pin, unpin, seed), so they do not interleave.</summary>
    public Lock WriteLock { get; } = new();

    public int Count => _pins.Count;

    public bool TryGet(string cid, long nowTicks, out StoredPin pin) =>
        _pins.TryGetValue(cid, out pin) && !IsExpired(pin, nowTicks);

    /// <summary>Snapshot-free enumeration; expired entries are skipped.</summary>
    public IEnumerable<KeyValuePair<string, StoredPin>> Enumerate(long nowTicks)
    {
        foreach (var entry in _pins)
        {
            if (!IsExpired(entry.Value, nowTicks))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Adds or replaces (docs/protocol/cluster-rest.md §5.7: a re-pin replaces the entry wholesale). Caller holds <see cref="WriteLock"/>.</summary>
    public void Put(string cid, StoredPin pin)
    {
        if (_pins.TryGetValue(cid, out var old))
        {
            Account(old, -1);
        }

        _pins[cid] = pin;
        Account(pin, +1);
        _unpinning.TryRemove(cid, out _);
        if (pin.ExpireAtTicks > 0)
        {
            _expiring[cid] = pin.ExpireAtTicks;
        }
        else
        {
            _expiring.TryRemove(cid, out _);
        }
    }

    /// <summary>
    /// Bulk insert for seeding: new CIDs only (an existing one is left alone), no expiry. An empty
    /// pinset is first re-created at the final size, because a growing ConcurrentDictionary copies
    /// every node at each doubling. Caller holds <see cref="WriteLock"/>.
    /// </summary>
    public int AddNew(IEnumerable<(string Cid, StoredPin Pin)> pins, int expected)
    {
        if (_pins.IsEmpty && expected > 1024)
        {
            _pins = new ConcurrentDictionary<string, StoredPin>(Environment.ProcessorCount, expected, StringComparer.Ordinal);
        }

        var added = 0;
        foreach (var (cid, pin) in pins)
        {
            if (_pins.TryAdd(cid, pin))
            {
                Account(pin, +1);
                added++;
            }
        }

        return added;
    }

    /// <summary>Removes from the pinset. Caller holds <see cref="WriteLock"/>.</summary>
    public bool Remove(string cid, out StoredPin pin)
    {
        if (!_pins.TryRemove(cid, out pin))
        {
            return false;
        }

        Account(pin, -1);
        _expiring.TryRemove(cid, out _);
        return true;
    }

    /// <summary>Expired pins leave the pinset, as the undercluster's state sync does (docs/protocol/cluster-rest.md §7 Expiry).</summary>
    public void SweepExpired(long nowTicks)
    {
        if (_expiring.IsEmpty)
        {
            return;
        }

        foreach (var (cid, expireAt) in _expiring)
        {
            if (expireAt <= nowTicks)
            {
                lock (WriteLock)
                {
                    if (_pins.TryGetValue(cid, out var pin) && IsExpired(pin, nowTicks))
                    {
                        Remove(cid, out _);
                    }
                    else if (!_pins.ContainsKey(cid))
                    {
                        _expiring.TryRemove(cid, out _);
                    }
                }
            }
        }
    }

    /// <summary>Remembers an unpin in progress so the contacted peer can report it (local status).</summary>
    public void StartUnpin(string cid, UnpinOperation operation) => _unpinning[cid] = operation;

    public bool TryGetUnpin(string cid, long nowTicks, out UnpinOperation operation)
    {
        if (_unpinning.TryGetValue(cid, out operation))
        {
            if (nowTicks < operation.StartTicks + (operation.DelayMs * TimeSpan.TicksPerMillisecond))
            {
                return true;
            }

            _unpinning.TryRemove(cid, out _);
        }

        return false;
    }

    /// <summary>The shared instance for this ordered allocation. Caller holds <see cref="WriteLock"/>.</summary>
    public AllocationSet Intern(IReadOnlyList<int> indexes)
    {
        if (indexes.Count == 0)
        {
            return AllocationSet.Empty;
        }

        var key = string.Join(',', indexes);
        if (!_allocationSets.TryGetValue(key, out var set))
        {
            var array = indexes.ToArray();
            set = new AllocationSet([.. array.Select(i => _peers[i].Id)], array);
            _allocationSets[key] = set;
        }

        return set;
    }

    private static bool IsExpired(in StoredPin pin, long nowTicks) => pin.ExpireAtTicks > 0 && pin.ExpireAtTicks <= nowTicks;

    private void Account(in StoredPin pin, int sign)
    {
        if (pin.Size == 0)
        {
            return;
        }

        foreach (var peer in _peers)
        {
            if (pin.IsAllocatedTo(peer.Index))
            {
                peer.AddUsed(sign * pin.Size);
            }
        }
    }
}

/// <summary>An unpin running on the peers that held a pin.</summary>
internal readonly record struct UnpinOperation(long StartTicks, int DelayMs, ulong PeerMask, bool Everywhere)
{
    public bool Involves(int peerIndex) => Everywhere || ((PeerMask >> peerIndex) & 1) != 0;
}
