using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;

namespace CompositeGateway.Underclusters;

/// <summary>
/// One undercluster as the composition layer sees it: its REST client, its shared status poller, a short
/// cache of its peers, and what it has taught us about its defaults. Everything that talks to an undercluster
/// goes through here, so adding several underclusters (placement, fan-out) means the pin service choosing
/// among several of these, not changing how one is spoken to.
/// </summary>
internal sealed class Undercluster : IPinStatusSource, IAsyncDisposable
{
    private readonly PinPathOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _peersGate = new(1, 1);
    private readonly ILogger _logger;
    private (IReadOnlyList<ClusterPeer> Peers, long At)? _peers;
    private (int Min, int Max)? _learnedDefault;
    private int _sharedSeen;
    private int _disposed;

    public Undercluster(ClusterClient client, PinPathOptions options, TimeProvider time, ILogger logger)
    {
        Client = client;
        _options = options;
        _time = time;
        _logger = logger;
        Poller = new StatusPoller(this, options, time, logger);
    }

    public string Name => Client.Name;

    public ClusterClient Client { get; }

    public StatusPoller Poller { get; }

    /// <summary>
    /// The replication factors the undercluster gave a pin the gateway created with replication 0 (its own
    /// default, which the REST API does not expose: docs/protocol/cluster-rest.md §7). Null until such a pin was created in this process.
    /// </summary>
    public (int Min, int Max)? LearnedDefaultReplication => _learnedDefault;

    public void LearnDefaultReplication(ClusterPin created) =>
        _learnedDefault = (created.ReplicationFactorMin, created.ReplicationFactorMax);

    /// <summary>
    /// Whether a pin wait must settle before a status may end it (docs/design/ownership.md rule 2): always, unless the
    /// operator declared this gateway the undercluster's <c>sole_gateway</c> and no other gateway's owner key has been read here since.
    /// </summary>
    public bool SettlesPinWaits => !Client.Options.SoleGateway || Volatile.Read(ref _sharedSeen) == 1;

    /// <summary>
    /// A pin read here carries <paramref name="otherOwner"/>'s key: another gateway writes into this undercluster, so a
    /// <c>sole_gateway</c> declaration is wrong. Waits started from now on settle, and the operator is told once.
    /// </summary>
    public void SeenOtherGateway(string otherOwner)
    {
        if (Client.Options.SoleGateway && Interlocked.Exchange(ref _sharedSeen, 1) == 0)
        {
            UnderclusterLog.SoleGatewayButShared(_logger, Name, otherOwner);
        }
    }

    /// <summary>The items decoded through <see cref="QueryView"/>: what the waits and placement's batches read of them.</summary>
    public Task<GatewayFailure?> FetchStatusAsync(IReadOnlyList<string> cids, Action<GlobalPinInfo> onItem, CancellationToken cancellationToken) =>
        FetchStatusAsync(cids, onItem, QueryView.Status, cancellationToken);

    /// <summary>
    /// As <see cref="FetchStatusAsync(IReadOnlyList{string}, Action{GlobalPinInfo}, CancellationToken)"/>, the items decoded
    /// through <paramref name="view"/> (null = every member). Twice the undercluster's <c>timeout</c> bounds the whole answer:
    /// the client's own budget bounds a stream only up to its headers (and keeps failing a call that gets none in time, as
    /// before), and a status answer that stalls after them would otherwise hold the poller's round, a listing or a batch
    /// of queries for good.
    /// </summary>
    public async Task<GatewayFailure?> FetchStatusAsync(IReadOnlyList<string> cids, Action<GlobalPinInfo> onItem, JsonTypeInfo<GlobalPinInfo>? view, CancellationToken cancellationToken)
    {
        var timeout = Client.Options.Timeout;
        using var deadline = new CancellationTokenSource(timeout > TimeSpan.Zero ? 2 * timeout : Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var stream = Client.StreamStatusAsync(filter: null, cids, local: false, view, linked.Token);
            await foreach (var item in stream.WithCancellation(linked.Token))
            {
                onItem(item);
            }

            var completion = await stream.Completion;
            if (completion.IsSuccess)
            {
                return null;
            }

            if (!deadline.IsCancellationRequested || cancellationToken.IsCancellationRequested)
            {
                return GatewayFailure.From(completion.Failure);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }

        // The client reports its own cancellation as the caller's; here the deadline is what ended it.
        return new GatewayFailure(
            $"undercluster \"{Name}\": status answer not finished within twice its timeout of {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
            Transient: true);
    }

    /// <summary>
    /// The undercluster's peers (<c>GET /peers</c>, docs/protocol/cluster-rest.md §5.3), reused for <see cref="PinPathOptions.AddressesCache"/>:
    /// the peer set changes rarely, and <c>id</c> and <c>repo/stat</c> ask every 15 s (docs/protocol/kubo-rpc-as-called-by-cluster.md §3).
    /// </summary>
    public async Task<ClusterResult<IReadOnlyList<ClusterPeer>>> GetPeersAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return ClusterResult<IReadOnlyList<ClusterPeer>>.Success(cached);
        }

        await _peersGate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } again)
            {
                return ClusterResult<IReadOnlyList<ClusterPeer>>.Success(again);
            }

            var result = await Client.StreamPeersAsync(cancellationToken).CollectAsync(cancellationToken);
            if (result.IsSuccess)
            {
                _peers = (result.Value, _time.GetTimestamp());
            }

            return result;
        }
        finally
        {
            _peersGate.Release();
        }

        IReadOnlyList<ClusterPeer>? Fresh() =>
            _peers is { } p && _time.GetElapsedTime(p.At) < _options.AddressesCache ? p.Peers : null;
    }

    /// <summary>Idempotent: the container disposes the first undercluster both as itself and through the composition layer's placement.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Poller.DisposeAsync();
        _peersGate.Dispose();
    }
}
