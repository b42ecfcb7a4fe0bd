using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>
/// In-memory <see cref="IPinService"/> for the wire tier: holds pins, records calls, and lets a test hold pins
/// open, fail them, or fail listings. The composition's real behaviour is tested with the emulator elsewhere.
/// </summary>
internal sealed class FakePinService : IPinService
{
    private readonly ConcurrentDictionary<string, PinnedItem> _pins = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ManualPinWait> _held = new();

    public ConcurrentQueue<PinIntent> Started { get; } = new();
    public ConcurrentQueue<string> Queried { get; } = new();
    public ConcurrentQueue<string> Unpinned { get; } = new();
    public ConcurrentQueue<(string From, string To, bool Unpin)> Updates { get; } = new();

    /// <summary>When set, QueryAsync/StartPinAsync/UnpinAsync/ListAsync fail with it.</summary>
    public GatewayFailure? QueryFailure { get; set; }
    public GatewayFailure? StartFailure { get; set; }
    public GatewayFailure? UnpinFailure { get; set; }
    public GatewayFailure? ListFailure { get; set; }

    /// <summary>ListAsync fails with <see cref="ListFailure"/> after this many items (0 = before the first).</summary>
    public int ListFailAfter { get; set; }

    /// <summary>When true, started pins wait until <see cref="CompleteHeld"/>.</summary>
    public bool HoldPins { get; set; }

    public IReadOnlyCollection<PinnedItem> Pins => _pins.Values.ToList();

    public void Add(string cid, PinMode mode, string name = "") => _pins[cid] = new PinnedItem(cid, mode, name);

    /// <summary>Completes every held pin: pinned when <paramref name="failure"/> is null.</summary>
    public void CompleteHeld(GatewayFailure? failure = null)
    {
        while (_held.TryDequeue(out var wait))
        {
            if (failure is null)
            {
                Add(wait.Intent.Cid.ToString(), wait.Intent.Mode);
            }

            wait.Complete(failure);
        }
    }

    public int HeldCount => _held.Count;

    public Task<PinQueryResult> QueryAsync(Cid parsed, CancellationToken cancellationToken)
    {
        var cid = parsed.ToString();
        Queried.Enqueue(cid);
        if (QueryFailure is { } failure)
        {
            return Task.FromResult(PinQueryResult.Failed(failure));
        }

        return Task.FromResult(_pins.TryGetValue(cid, out var pin) ? PinQueryResult.Pinned(pin.Mode) : PinQueryResult.NotPinned);
    }

    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => new(listing => ProduceAsync(listing, cancellationToken));

    private async IAsyncEnumerable<PinnedItem> ProduceAsync(Listing<PinnedItem> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var sent = 0;
        foreach (var pin in _pins.Values.OrderBy(p => p.Cid, StringComparer.Ordinal))
        {
            if (ListFailure is { } failure && sent == ListFailAfter)
            {
                listing.End(failure);
                yield break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return pin;
            sent++;
        }

        if (ListFailure is { } late && sent == ListFailAfter)
        {
            listing.End(late);
        }
    }

    public Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken)
    {
        Started.Enqueue(intent);
        if (StartFailure is { } failure)
        {
            return Task.FromResult(PinStartResult.Failed(failure));
        }

        var wait = new ManualPinWait(intent);
        if (HoldPins)
        {
            _held.Enqueue(wait);
        }
        else
        {
            Add(intent.Cid.ToString(), intent.Mode);
            wait.Complete(null);
        }

        return Task.FromResult(PinStartResult.Started(wait));
    }

    public Task<UnpinResult> UnpinAsync(Cid parsed, CancellationToken cancellationToken)
    {
        var cid = parsed.ToString();
        Unpinned.Enqueue(cid);
        if (UnpinFailure is { } failure)
        {
            return Task.FromResult(new UnpinResult(UnpinOutcome.Failed, failure));
        }

        return Task.FromResult(_pins.TryRemove(cid, out _) ? new UnpinResult(UnpinOutcome.Unpinned) : new UnpinResult(UnpinOutcome.NotPinned));
    }

    public Task<PinStartResult> StartUpdateAsync(Cid fromCid, Cid toCid, bool unpinFrom, CancellationToken cancellationToken)
    {
        var (from, to) = (fromCid.ToString(), toCid.ToString());
        Updates.Enqueue((from, to, unpinFrom));
        if (StartFailure is { } failure)
        {
            return Task.FromResult(PinStartResult.Failed(failure));
        }

        var mode = _pins.TryGetValue(from, out var old) ? old.Mode : PinMode.Recursive;
        Add(to, mode);
        if (unpinFrom)
        {
            _pins.TryRemove(from, out _);
        }

        var wait = new ManualPinWait(new PinIntent(toCid, mode));
        wait.Complete(null);
        return Task.FromResult(PinStartResult.Started(wait));
    }

    private sealed class ManualPinWait(PinIntent intent) : IPinWait
    {
        private readonly TaskCompletionSource<GatewayFailure?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PinIntent Intent { get; } = intent;

        public Task<GatewayFailure?> Completion => _completion.Task;

        public int PinnedPeers => 0;

        public void Complete(GatewayFailure? failure) => _completion.TrySetResult(failure);
    }
}
