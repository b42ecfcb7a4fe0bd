using CompositeGateway.Ipld;
using System.Globalization;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// One pin being waited on until the undercluster reports it pinned by the rule ("truth, not
/// acknowledgement"). Fed by the shared <see cref="StatusPoller"/>; ends with success, the rule's failure
/// (<c>pin_error</c> on needed peers), the wait limit, the undercluster being unreachable for
/// <see cref="PinPathOptions.UnreachableAfter"/>, the caller's cancellation, or an unpin of the CID.
/// If the pin vanishes from the pinset or loses this gateway's owner key meanwhile, it asks the pin
/// service to re-establish it (docs/design/ownership.md) and keeps waiting.
/// </summary>
/// <remarks>
/// No status ends the wait until <see cref="Settle"/> has passed since our last write (docs/design/ownership.md,
/// rule 2): another gateway that read the pin just before our write landed writes its merge of that older read about
/// one round trip later, without our key. A status read before that write lands would show our key and end the wait,
/// and the key would then be lost with the pin/add already answered.
/// </remarks>
internal sealed class PinWait : IPinWait, IStatusObserver
{
    private readonly TaskCompletionSource<GatewayFailure?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PinPathOptions _options;
    private readonly Ownership _ownership;
    private readonly TimeProvider _time;
    private readonly string _undercluster;
    private readonly Func<PinWait, Task> _reestablish;
    private readonly List<IDisposable> _resources = [];
    private ClusterPin _pin;
    private int _pinnedPeers;
    private int _requiredPeers;
    private long _failingSince = -1;
    private int _reestablishing;
    private string? _outcome;
    private Settling _settling = new(0, TimeSpan.Zero);

    public PinWait(Cid cid, PinMode mode, ClusterPin pin, string undercluster, PinPathOptions options, Ownership ownership, TimeProvider time, Func<PinWait, Task> reestablish)
    {
        Cid = cid;
        Mode = mode;
        _pin = pin;
        _undercluster = undercluster;
        _options = options;
        _ownership = ownership;
        _time = time;
        _reestablish = reestablish;
    }

    public Cid Cid { get; }

    public PinMode Mode { get; }

    public Task<GatewayFailure?> Completion => _completion.Task;

    public int PinnedPeers => Volatile.Read(ref _pinnedPeers);

    /// <summary>The pin as last read from the pinset: the rule's replication factors and allocations.</summary>
    public ClusterPin Pin
    {
        get => Volatile.Read(ref _pin);
        set => Volatile.Write(ref _pin, value);
    }

    /// <summary>Cancelled by the caller (the overcluster gave up on the pin/add); no longer polled.</summary>
    public CancellationToken CancellationToken { get; private set; }

    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>A status may end the wait only this long after our write (see remarks and <see cref="SettleAfter"/>).</summary>
    public TimeSpan Settle { get; init; }

    /// <summary>The shortest settle time, whatever the round trips measured (see <see cref="SettleAfter"/>).</summary>
    public static readonly TimeSpan MinimumSettle = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The settle time after a write whose read and write took <paramref name="written"/>: another gateway's read and
    /// write take about as long as ours, so twice that, and never under <see cref="MinimumSettle"/>: two gateways'
    /// requests queue behind each other on a busy undercluster or machine, and one shorter settle lost keys in the
    /// shared-undercluster tests (docs/development/performance.md, "Settling before success").
    /// </summary>
    public static TimeSpan SettleAfter(TimeSpan written) => written * 2 > MinimumSettle ? written * 2 : MinimumSettle;

    /// <summary>How the wait ended, for <c>gateway_pin_waits_total</c> (one of <see cref="PinWaitOutcomes"/>); read once <see cref="Completion"/> is done.</summary>
    public string Outcome => Volatile.Read(ref _outcome) ?? PinWaitOutcomes.Cancelled;

    /// <summary>Starts polling; <paramref name="cancellationToken"/> bounds the whole wait (the surface passes the request's token).</summary>
    public void Start(StatusPoller poller, CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
        lock (_resources)
        {
            _resources.Add(cancellationToken.Register(() =>
            {
                if (_completion.TrySetCanceled(cancellationToken))
                {
                    Release();
                }
            }));
            if (_options.WaitLimit > TimeSpan.Zero)
            {
                _resources.Add(_time.CreateTimer(_ => Complete(LimitReached(), PinWaitOutcomes.WaitLimit), null, _options.WaitLimit, Timeout.InfiniteTimeSpan));
            }

            Volatile.Write(ref _settling, new Settling(_time.GetTimestamp(), Settle));
            if (Settle > TimeSpan.Zero)
            {
                // Asked about only once settled: a status before then could not end the wait anyway.
                _resources.Add(_time.CreateTimer(_ => Subscribe(poller), null, Settle, Timeout.InfiniteTimeSpan));
            }
            else
            {
                _resources.Add(poller.Subscribe(Cid.ToString(), this));
            }
        }

        if (IsCompleted)
        {
            Release();
        }
    }

    private void Subscribe(StatusPoller poller)
    {
        lock (_resources)
        {
            // Released meanwhile (completed, cancelled): nothing is left to dispose the subscription.
            if (!IsCompleted)
            {
                _resources.Add(poller.Subscribe(Cid.ToString(), this));
            }
        }
    }

    public void OnStatus(GlobalPinInfo status)
    {
        Interlocked.Exchange(ref _failingSince, -1);
        var pin = Pin;
        var verdict = PinnedRule.Evaluate(_options.PinnedWhen, pin, status, _undercluster);
        if (verdict.State == PinState.Absent || !_ownership.IsOwner(status.Metadata))
        {
            // Deleted by the last other owner, or our key lost to a concurrent metadata write: never declare
            // success on a pin we do not (or no longer) own; put ownership back first.
            RequestReestablish();
            return;
        }

        Volatile.Write(ref _pinnedPeers, verdict.PinnedPeers);
        Volatile.Write(ref _requiredPeers, verdict.RequiredPeers);
        switch (verdict.State)
        {
            case PinState.Pinned when Volatile.Read(ref _settling).IsOver(_time):
                Complete(null, PinWaitOutcomes.Pinned);
                break;
            case PinState.Failed:
                Complete(new GatewayFailure(verdict.Problem!, Transient: false), PinWaitOutcomes.PinError);
                break;
        }
    }

    public void OnPollFailed(GatewayFailure failure)
    {
        var now = _time.GetTimestamp();
        var since = Interlocked.CompareExchange(ref _failingSince, now, -1);
        since = since == -1 ? now : since;
        var failingFor = _time.GetElapsedTime(since, now);
        if (failingFor >= _options.UnreachableAfter)
        {
            Complete(new GatewayFailure(
                $"{failure.Message} (no status of {Cid} for {Seconds(failingFor)}; unreachable_after {Seconds(_options.UnreachableAfter)})",
                Transient: true),
                PinWaitOutcomes.Unreachable);
        }
    }

    /// <summary>Ends the wait (first call wins) and stops polling; from outside (an unpin of the CID) it counts as cancelled.</summary>
    public void Complete(GatewayFailure? failure) => Complete(failure, failure is null ? PinWaitOutcomes.Pinned : PinWaitOutcomes.Cancelled);

    private void Complete(GatewayFailure? failure, string outcome)
    {
        // The first caller claims the outcome before setting the result, so the registry's continuation reads the
        // outcome of the result it sees (only the caller's cancellation bypasses this, and is read as such).
        if (Interlocked.CompareExchange(ref _outcome, outcome, null) is not null)
        {
            return;
        }

        if (_completion.TrySetResult(failure))
        {
            Release();
        }
    }

    private GatewayFailure LimitReached() => new(
        $"undercluster \"{_undercluster}\": {Cid} not pinned after {Seconds(_options.WaitLimit)} (wait_limit); "
            + (Volatile.Read(ref _requiredPeers) is > 0 and var required ? $"{PinnedPeers} of {required} required peers report pinned" : "no status seen yet"),
        Transient: true);

    private void RequestReestablish()
    {
        if (IsCompleted || Interlocked.Exchange(ref _reestablishing, 1) == 1)
        {
            return;
        }

        _ = RunAsync();

        async Task RunAsync()
        {
            var begun = _time.GetTimestamp();
            try
            {
                await _reestablish(this);
            }
            finally
            {
                // The repair wrote again: settle from now, even under sole_gateway. Something else replaced or removed the
                // pin, and whatever it was may write again.
                Volatile.Write(ref _settling, new Settling(_time.GetTimestamp(), SettleAfter(_time.GetElapsedTime(begun))));
                Volatile.Write(ref _reestablishing, 0);
            }
        }
    }

    private void Release()
    {
        IDisposable[] resources;
        lock (_resources)
        {
            resources = [.. _resources];
            _resources.Clear();
        }

        foreach (var resource in resources)
        {
            resource.Dispose();
        }
    }

    private sealed record Settling(long Since, TimeSpan For)
    {
        public bool IsOver(TimeProvider time) => time.GetElapsedTime(Since) >= For;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";
}

/// <summary>A wait that is already over: <c>pin_wait: accepted</c>, or nothing left to wait for.</summary>
internal sealed class CompletedPinWait(GatewayFailure? failure = null) : IPinWait
{
    public static CompletedPinWait Success { get; } = new();

    public Task<GatewayFailure?> Completion { get; } = Task.FromResult(failure);

    public int PinnedPeers => 0;
}

/// <summary>A wait followed by a step that runs only if the wait succeeded (pin/update's unpin of <c>from</c>).</summary>
internal sealed class ThenPinWait : IPinWait
{
    private readonly IPinWait _first;

    public ThenPinWait(IPinWait first, Func<Task<GatewayFailure?>> then)
    {
        _first = first;
        Completion = RunAsync(first, then);
    }

    public Task<GatewayFailure?> Completion { get; }

    public int PinnedPeers => _first.PinnedPeers;

    private static async Task<GatewayFailure?> RunAsync(IPinWait first, Func<Task<GatewayFailure?>> then) =>
        await first.Completion ?? await then();
}
