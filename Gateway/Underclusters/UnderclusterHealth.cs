using System.Diagnostics.CodeAnalysis;
using CompositeGateway.Configuration;
using CompositeGateway.Go;

namespace CompositeGateway.Underclusters;

/// <summary>
/// Per-undercluster health as the background probes last saw it. Fed by
/// <see cref="UnderclusterHealthMonitor"/> (which also holds the circuit open while it sees an undercluster
/// down); read through <see cref="IUnderclusterHealthView"/> by <c>/ready</c>, <c>gateway_undercluster_up</c> and placement. Also keeps what the last
/// aggregated <c>repo/stat</c> did with each undercluster (<see cref="RecordRepoStat"/>), for <c>/ready</c> and metrics.
/// </summary>
internal sealed class UnderclusterHealth : IUnderclusterHealthView
{
    private readonly Dictionary<string, Entry> _entries;
    private readonly string[] _names;
    private readonly TimeSpan _readyWithin;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    public UnderclusterHealth(IEnumerable<string> names, HealthOptions options, TimeProvider time)
    {
        _names = [.. names];
        _entries = _names.ToDictionary(name => name, _ => new Entry(), StringComparer.Ordinal);
        _readyWithin = options.ReadyWithin;
        _time = time;
    }

    /// <summary>Every undercluster, in configuration order.</summary>
    public IReadOnlyList<UnderclusterHealthSnapshot> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return [.. _names.Select(name => ToSnapshot(name, _entries[name], now))];
        }
    }

    /// <summary>True when every undercluster answered a probe within <see cref="HealthOptions.ReadyWithin"/> and none is refused.</summary>
    public bool IsReady() => Snapshot().All(s => s.IsReady);

    /// <summary>
    /// Whether calls to this undercluster are worth making: its last probe succeeded, recently.
    /// Stricter than readiness on purpose: one failed probe turns this off at once, while
    /// <c>/ready</c> tolerates a blip for up to <see cref="HealthOptions.ReadyWithin"/>.
    /// Unknown names are not healthy.
    /// </summary>
    public bool IsHealthy(string name)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(name, out var entry)
                && entry.State == UnderclusterState.Up
                && IsFresh(entry, now);
        }
    }

    public HealthTransition RecordSuccess(string name, string peerId) =>
        Update(name, entry =>
        {
            entry.State = UnderclusterState.Up;
            entry.LastSuccess = entry.LastProbe;
            entry.LastError = null;
            entry.ConsecutiveFailures = 0;
            entry.PeerId = peerId;
        });

    /// <summary>
    /// Why calls to <paramref name="undercluster"/> must not be made at all, whatever its reachability:
    /// the inception message while the last probe found this gateway as one of its peers' IPFS daemon.
    /// The composition layer asks this before any pin, unpin or listing and answers the Kubo caller
    /// with the message instead of sending a request that would come back to this gateway.
    /// </summary>
    public bool TryGetRefusal(string undercluster, [NotNullWhen(true)] out string? message)
    {
        lock (_gate)
        {
            message = _entries.TryGetValue(undercluster, out var entry) && entry.State == UnderclusterState.Inception ? entry.LastError : null;
            return message is not null;
        }
    }

    public Task WhenFirstProbedAsync(string undercluster, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(undercluster, out var entry)
                ? entry.FirstProbe.Task.WaitAsync(cancellationToken)
                : Task.CompletedTask;
        }
    }

    /// <summary>The undercluster answered, but must be refused (<paramref name="message"/> says why); not a success for readiness.</summary>
    public HealthTransition RecordInception(string name, string peerId, string message) =>
        Update(name, entry =>
        {
            entry.State = UnderclusterState.Inception;
            entry.LastError = message;
            entry.ConsecutiveFailures++;
            entry.PeerId = peerId;
        });

    /// <summary>
    /// A probe of <paramref name="name"/> is under way (ended by the next Record call): while it hangs, a
    /// not-ready undercluster without a recorded error is reported as "probe in progress for Xs", never without a cause.
    /// </summary>
    public void RecordProbeStarted(string name)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var entry) && entry.ProbeStarted is null)
            {
                entry.ProbeStarted = _time.GetUtcNow();
            }
        }
    }

    public HealthTransition RecordFailure(string name, string error) =>
        Update(name, entry =>
        {
            entry.State = UnderclusterState.Down;
            entry.LastError = error;
            entry.ConsecutiveFailures++;
        });

    /// <summary>
    /// What the last aggregated <c>repo/stat</c> did with this undercluster: <paramref name="error"/> when it was
    /// left out (unreachable or failing), null when it answered. Shown by <c>/ready</c> and
    /// <c>gateway_repo_stat_left_out</c>; never changes readiness (the probe alone decides that), and not a probe,
    /// so it neither moves <c>last_probe</c> nor wakes <see cref="WaitForChangeAsync"/>. Unknown names are ignored.
    /// </summary>
    public void RecordRepoStat(string name, string? error)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var entry))
            {
                entry.RepoStatError = error;
            }
        }
    }

    /// <summary>
    /// The free space a <c>repo/stat</c> computed for this undercluster (for <c>gateway_undercluster_free_space_bytes</c>).
    /// Like <see cref="RecordRepoStat"/>, not a probe: it changes neither readiness nor <c>last_probe</c>. Unknown names are ignored.
    /// </summary>
    public void RecordFreeSpace(string name, ulong bytes)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var entry))
            {
                entry.FreeSpace = bytes;
            }
        }
    }

    /// <summary>Completes at the next recorded probe; lets tests and tools wait without polling a clock.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    private HealthTransition Update(string name, Action<Entry> change)
    {
        TaskCompletionSource changed;
        TaskCompletionSource first;
        HealthTransition transition;
        lock (_gate)
        {
            var entry = _entries[name];
            var previous = entry.State;
            entry.LastProbe = _time.GetUtcNow();
            entry.ProbeStarted = null;
            change(entry);
            transition = new HealthTransition(previous, entry.State, entry.ConsecutiveFailures);
            changed = _changed;
            _changed = NewSignal();
            first = entry.FirstProbe;
        }

        changed.SetResult();
        first.TrySetResult();
        return transition;
    }

    private UnderclusterHealthSnapshot ToSnapshot(string name, Entry entry, DateTimeOffset now)
    {
        var ready = IsReadyAt(entry, now);
        return new(name, entry.State, ready, entry.LastSuccess, entry.LastProbe, entry.LastError ?? (ready ? null : PendingCause(entry, now)), entry.ConsecutiveFailures, entry.PeerId)
        {
            RepoStatLeftOut = entry.RepoStatError is not null,
            LastRepoStatError = entry.RepoStatError,
            FreeSpaceBytes = entry.FreeSpace,
        };
    }

    /// <summary>Why a not-ready undercluster with no recorded error is not ready: its probe has not answered (yet).</summary>
    private static string PendingCause(Entry entry, DateTimeOffset now) => entry.ProbeStarted is { } started
        ? $"probe in progress for {GoDuration.Format(TimeSpan.FromSeconds(Math.Floor((now - started).TotalSeconds)))}: no answer yet"
            + (entry.LastSuccess is { } success ? $" (last answer {GoDuration.Format(TimeSpan.FromSeconds(Math.Floor((now - success).TotalSeconds)))} ago)" : "")
        : "no probe has answered yet";

    private bool IsFresh(Entry entry, DateTimeOffset now) => entry.LastSuccess is { } success && now - success <= _readyWithin;

    private bool IsReadyAt(Entry entry, DateTimeOffset now) => entry.State != UnderclusterState.Inception && IsFresh(entry, now);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry
    {
        public UnderclusterState State { get; set; }
        public DateTimeOffset? LastSuccess { get; set; }
        public DateTimeOffset? LastProbe { get; set; }
        public string? LastError { get; set; }
        public int ConsecutiveFailures { get; set; }
        public string? PeerId { get; set; }

        public string? RepoStatError { get; set; }

        public DateTimeOffset? ProbeStarted { get; set; }

        public ulong? FreeSpace { get; set; }

        public TaskCompletionSource FirstProbe { get; } = NewSignal();
    }
}
