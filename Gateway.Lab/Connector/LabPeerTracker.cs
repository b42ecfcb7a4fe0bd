using System.Collections.Concurrent;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab.Connector;

/// <summary>
/// The stateless pin tracker of one emulated peer whose IPFS daemon is real (a Kubo RPC API, often a
/// gateway): it drives that daemon through <see cref="GoIpfsConnector"/> as an ipfs-cluster v1.1.6 peer
/// does (docs/protocol/kubo-rpc-as-called-by-cluster.md §2, docs/protocol/kubo-rpc-as-called-by-cluster.md §5, docs/protocol/kubo-rpc-as-called-by-cluster.md §6) — <c>id</c> until it answers, then
/// pin workers (at most <see cref="GoClusterPeer.ConcurrentPins"/>) running docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3 for pins allocated here,
/// <c>pin/rm</c> for unpins and for pins allocated elsewhere, <c>pin/update</c> when the source is pinned,
/// the <c>repo/stat</c> disk informer feeding allocation and the recovery loop. The peer's status is what
/// those calls concluded.
/// </summary>
/// <remarks>
/// One simplification, written down: a pinned CID's status is the last conclusion (pin/add ended cleanly,
/// or the last recovery round's full listing) rather than one <c>pin/ls?arg=</c> per status request (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.2
/// step 4), because the emulator answers status synchronously from memory.
/// </remarks>
internal sealed class LabPeerTracker : IAsyncDisposable
{
    private readonly LabCluster _cluster;
    private readonly LabPeer _peer;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly SemaphoreSlim _pinSlots = new(GoClusterPeer.ConcurrentPins);
    private readonly SemaphoreSlim _unpinSlots = new(GoClusterPeer.ConcurrentPins);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _recoverInterval;
    private readonly TimeSpan _informerInterval;
    private Task _loops = Task.CompletedTask;

    public LabPeerTracker(LabCluster cluster, LabPeer peer, Uri daemon, ILogger logger)
    {
        _cluster = cluster;
        _peer = peer;
        _logger = logger;
        _recoverInterval = cluster.Options.RecoverInterval;
        _informerInterval = cluster.Options.MetricTtl / 2;
        Daemon = daemon;
        Ipfs = new GoIpfsConnector(daemon, cluster.Options.Connector with { RecordSent = false });
    }

    /// <summary>The daemon's Kubo RPC API (<c>http://host:port</c>).</summary>
    public Uri Daemon { get; }

    public GoIpfsConnector Ipfs { get; }

    /// <summary>Whether the daemon has answered <c>id</c> (the peer's start-up is done, docs/protocol/kubo-rpc-as-called-by-cluster.md §2).</summary>
    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Starts the id, informer and recovery loops.</summary>
    public void Start()
    {
        var token = _stopping.Token;
        _loops = Task.WhenAll(
            Task.Run(() => IdLoopAsync(token), CancellationToken.None),
            Task.Run(() => InformerLoopAsync(token), CancellationToken.None),
            Task.Run(() => RecoverLoopAsync(token), CancellationToken.None));
    }

    /// <summary>Track (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.1): a pin added or changed in the shared state.</summary>
    public void Track(string cid, in StoredPin pin)
    {
        if (pin.Type != PinTypes.Data)
        {
            return;
        }

        if (!pin.IsAllocatedTo(_peer.Index))
        {
            // Allocated elsewhere: one pin/rm, a "remote" operation whose outcome is not kept (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.1).
            if (_operations.TryRemove(cid, out var previous))
            {
                previous.Cancel();
            }

            Run(async token =>
            {
                await _ready.Task.WaitAsync(token);
                if (await Ipfs.UnpinAsync(cid, token) is { } error)
                {
                    ConnectorLog.RemoteUnpinFailed(_logger, _peer.Name, cid, error.Text);
                }
            });
            return;
        }

        Pin(cid, pin.MaxDepth, pin.Extras?.PinUpdate, attempts: 0);
    }

    /// <summary>Untrack (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.1): the pin left the shared state; an unpin is queued.</summary>
    public void Untrack(string cid)
    {
        var operation = new Operation(new PeerPinStatus(TrackerStatus.UnpinQueued, _cluster.NowTicks, "", 0, false));
        Replace(cid, operation);
        Run(async token =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, operation.Cancellation.Token);
            await _ready.Task.WaitAsync(linked.Token);
            await _unpinSlots.WaitAsync(linked.Token);
            try
            {
                operation.Status = new PeerPinStatus(TrackerStatus.Unpinning, _cluster.NowTicks, "", 1, false);
                if (await Ipfs.UnpinAsync(cid, linked.Token) is { } error)
                {
                    operation.Status = new PeerPinStatus(TrackerStatus.UnpinError, _cluster.NowTicks, error.Text, 1, false);
                }
                else
                {
                    _operations.TryRemove(new KeyValuePair<string, Operation>(cid, operation));
                }
            }
            finally
            {
                _unpinSlots.Release();
            }
        });
    }

    /// <summary><c>POST /pins/{cid}/recover</c>: a new pin operation when this peer's is in error; true when one was queued.</summary>
    public bool Recover(string cid, in StoredPin pin)
    {
        if (!pin.IsAllocatedTo(_peer.Index) || !_operations.TryGetValue(cid, out var current) || current.Status.Status != TrackerStatus.PinError)
        {
            return false;
        }

        Pin(cid, pin.MaxDepth, pin.Extras?.PinUpdate, current.Status.AttemptCount);
        return true;
    }

    /// <summary>The status of an allocated pin (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.2): the operation's, else the last conclusion.</summary>
    public PeerPinStatus StatusOf(string cid) =>
        _operations.TryGetValue(cid, out var operation)
            ? operation.Status
            : new PeerPinStatus(TrackerStatus.PinQueued, _cluster.NowTicks, "", 0, true);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll([_loops, .. _running.Keys]).WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None)
            .ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Ipfs.Dispose();
        _stopping.Dispose();
    }

    private void Pin(string cid, sbyte maxDepth, string? from, int attempts)
    {
        var operation = new Operation(new PeerPinStatus(TrackerStatus.PinQueued, _cluster.NowTicks, "", attempts, true));
        Replace(cid, operation);
        Run(async token =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, operation.Cancellation.Token);
            await _ready.Task.WaitAsync(linked.Token);
            await _pinSlots.WaitAsync(linked.Token);
            try
            {
                operation.Status = new PeerPinStatus(TrackerStatus.Pinning, _cluster.NowTicks, "", attempts + 1, true);
                var error = await PinOnDaemonAsync(cid, maxDepth, from, linked.Token);
                // A superseded operation (unpinned while pinning) concludes nothing.
                operation.Cancellation.Token.ThrowIfCancellationRequested();
                operation.Status = error is null
                    ? new PeerPinStatus(TrackerStatus.Pinned, PeerStatusMachine.WholeSeconds(_cluster.NowTicks), "", 0, false)
                    : new PeerPinStatus(TrackerStatus.PinError, _cluster.NowTicks, error.Text, attempts + 1, false);
                if (error is not null)
                {
                    ConnectorLog.PinFailed(_logger, _peer.Name, cid, error.Text);
                }
            }
            finally
            {
                _pinSlots.Release();
            }
        });
    }

    // docs/protocol/kubo-rpc-as-called-by-cluster.md §4.5: a pin whose pin_update source is recursively pinned here is moved with pin/update; else docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3.
    private async Task<GoError?> PinOnDaemonAsync(string cid, sbyte maxDepth, string? from, CancellationToken cancellationToken)
    {
        if (from is not null && from != cid)
        {
            var source = await Ipfs.PinLsCidAsync(from, cancellationToken: cancellationToken);
            if (source.Status == IpfsPinStatus.Recursive)
            {
                return await Ipfs.PinUpdateAsync(from, cid, cancellationToken);
            }
        }

        return (await Ipfs.PinAsync(cid, maxDepth, cancellationToken)).Error;
    }

    private void Replace(string cid, Operation operation)
    {
        Operation? previous = null;
        _operations.AddOrUpdate(cid, operation, (_, old) =>
        {
            previous = old;
            return operation;
        });
        previous?.Cancel();
    }

    private void Run(Func<CancellationToken, Task> work)
    {
        var token = _stopping.Token;
        var task = Task.Run(async () =>
        {
            try
            {
                await work(token);
            }
            catch (OperationCanceledException)
            {
                // Stopping, or superseded by a newer operation on the same CID.
            }
        }, CancellationToken.None);
        _running[task] = 0;
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // docs/protocol/kubo-rpc-as-called-by-cluster.md §2 and docs/protocol/kubo-rpc-as-called-by-cluster.md §4.1: id once a second until it answers, then at the ping interval; the answer is the peer's ipfs facts.
    private async Task IdLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var id = await Ipfs.IdAsync(cancellationToken);
                if (id.Value is { } value)
                {
                    _peer.SetDaemonIdentity(value.Id, value.Addresses);
                    if (_ready.TrySetResult())
                    {
                        ConnectorLog.DaemonReady(_logger, _peer.Name, Daemon, value.Id);
                    }
                }
                else if (!IsReady)
                {
                    ConnectorLog.DaemonNotReady(_logger, _peer.Name, Daemon, id.Error!.Text);
                }

                await Task.Delay(IsReady ? PingInterval : TimeSpan.FromSeconds(1), _cluster.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // docs/protocol/kubo-rpc-as-called-by-cluster.md §6: repo/stat right after ready, then every metric_ttl/2; free = StorageMax − RepoSize, none when full or failing.
    private async Task InformerLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            _peer.SetDaemonFreeSpace(0);
            await _ready.Task.WaitAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var stat = await Ipfs.RepoStatAsync(cancellationToken);
                _peer.SetDaemonFreeSpace(stat.Value is { } value && value.RepoSize < value.StorageMax
                    ? (long)Math.Min(value.StorageMax - value.RepoSize, long.MaxValue)
                    : 0);
                await Task.Delay(_informerInterval, _cluster.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // docs/protocol/kubo-rpc-as-called-by-cluster.md §5.3: right after ready and then every pin_recover_interval.
    private async Task RecoverLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _ready.Task.WaitAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await RecoverAllAsync(cancellationToken);
                await Task.Delay(_recoverInterval, _cluster.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One recovery round: a full listing, then a new pin operation for every item in error or missing from it.</summary>
    public async Task RecoverAllAsync(CancellationToken cancellationToken)
    {
        var listing = await Ipfs.PinLsAsync("recursive", cancellationToken);
        if (listing.Value is not { } pinned)
        {
            ConnectorLog.RecoveryFailed(_logger, _peer.Name, listing.Error!.Text);
            return;
        }

        foreach (var (cid, pin) in _cluster.Store.Enumerate(_cluster.NowTicks))
        {
            if (pin.Type != PinTypes.Data || !pin.IsAllocatedTo(_peer.Index))
            {
                continue;
            }

            var current = _operations.TryGetValue(cid, out var operation) ? operation.Status.Status : null;
            if (current is TrackerStatus.PinQueued or TrackerStatus.Pinning or TrackerStatus.UnpinQueued or TrackerStatus.Unpinning)
            {
                continue;
            }

            if (current != TrackerStatus.PinError && pinned.ContainsKey(cid))
            {
                if (current != TrackerStatus.Pinned)
                {
                    Replace(cid, new Operation(new PeerPinStatus(TrackerStatus.Pinned, PeerStatusMachine.WholeSeconds(pin.TimestampTicks), "", 0, false)));
                }

                continue;
            }

            Pin(cid, pin.MaxDepth, pin.Extras?.PinUpdate, operation?.Status.AttemptCount ?? 0);
        }
    }

    /// <summary><c>monitor_ping_interval</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §3).</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    /// <summary>One operation on one CID; a newer one cancels it (docs/protocol/kubo-rpc-as-called-by-cluster.md §5.1, superseded operations).</summary>
    private sealed class Operation(PeerPinStatus status)
    {
        private volatile StatusBox _status = new(status);

        public CancellationTokenSource Cancellation { get; } = new();

        public PeerPinStatus Status
        {
            get => _status.Value;
            set => _status = new StatusBox(value);
        }

        public void Cancel()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already finished.
            }
        }

        private sealed record StatusBox(PeerPinStatus Value);
    }
}
