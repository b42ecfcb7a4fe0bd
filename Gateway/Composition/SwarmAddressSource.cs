using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>id</c>'s <c>Addresses</c>: the swarm addresses of the undercluster peers' IPFS daemons
/// (<c>ipfs.addresses</c> of <c>GET /peers</c>, cluster-rest-api.md §2.3), de-duplicated and capped at
/// <see cref="PinPathOptions.MaxAddresses"/>: those daemons hold the content, and the other overcluster
/// peers' daemons dial every address listed (ipfs-rpc-as-called-by-cluster.md §4.1). The peer list is
/// cached by <see cref="Undercluster"/>; when the undercluster cannot be asked, the last good answer
/// stands (the Go peer keeps its last good <c>id</c> too), or none.
/// </summary>
/// <remarks>
/// <c>id</c> must answer quickly and always (§2, §7.1), so it never waits on the undercluster for longer than
/// <see cref="RefreshWait"/>: one refresh at a time runs on its own, bounded by the undercluster client's timeout
/// and retries (up to 30 s × 3 attempts by default), and callers that arrive meanwhile share it. Waiting for it
/// instead made every <c>id</c> (the Go peer pings every 15 s) queue behind a hanging <c>GET /peers</c> until one
/// passed the peer's <c>ipfs_request_timeout</c>.
/// </remarks>
internal sealed class SwarmAddressSource(Undercluster undercluster, PinPathOptions options, TimeProvider time, ILogger<SwarmAddressSource> logger) : ISwarmAddressSource
{
    /// <summary>Longest an <c>id</c> waits for fresh addresses before answering with the last good ones.</summary>
    internal static readonly TimeSpan RefreshWait = TimeSpan.FromSeconds(1);

    /// <summary>Longest one refresh may run at all.</summary>
    internal static readonly TimeSpan RefreshLimit = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private IReadOnlyList<string> _lastGood = [];
    private Task<IReadOnlyList<string>>? _refresh;

    public async Task<IReadOnlyList<string>> GetSwarmAddressesAsync(CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<string>> refresh;
        lock (_gate)
        {
            if (_refresh is null || _refresh.IsCompleted)
            {
                _refresh = RefreshAsync();
            }

            refresh = _refresh;
        }

        try
        {
            return await refresh.WaitAsync(RefreshWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return _lastGood;
        }
    }

    // Not tied to any caller's token: the refresh is shared. The client's timeout bounds each attempt up to the
    // response headers; RefreshLimit also bounds a peers stream that stalls mid-body.
    private async Task<IReadOnlyList<string>> RefreshAsync()
    {
        ClusterResult<IReadOnlyList<ClusterPeer>> peers;
        using (var limit = new CancellationTokenSource(RefreshLimit, time))
        {
            try
            {
                peers = await undercluster.GetPeersAsync(limit.Token);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                CompositionLog.AddressesFailed(logger, undercluster.Name, $"no answer to GET /peers within {RefreshLimit.TotalSeconds:0}s");
                return _lastGood;
            }
        }

        if (!peers.TryGetValue(out var list, out var failure))
        {
            CompositionLog.AddressesFailed(logger, undercluster.Name, Undercluster.Describe(failure).Message);
            return _lastGood;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new List<string>();
        foreach (var peer in list.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            foreach (var address in peer.Ipfs.Addresses ?? [])
            {
                if (addresses.Count < options.MaxAddresses && !string.IsNullOrWhiteSpace(address) && seen.Add(address))
                {
                    addresses.Add(address);
                }
            }
        }

        _lastGood = addresses;
        return addresses;
    }
}
