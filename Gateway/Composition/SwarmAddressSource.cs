using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// <c>id</c>'s <c>Addresses</c>: the swarm addresses of every undercluster's peers' IPFS daemons
/// (<c>ipfs.addresses</c> of <c>GET /peers</c>, docs/protocol/cluster-rest.md §2.3), underclusters in configuration order and
/// peers in ID order, de-duplicated and capped at <see cref="PinPathOptions.MaxAddresses"/>: those daemons hold
/// the content, and the other overcluster peers' daemons dial every address listed (docs/protocol/kubo-rpc-as-called-by-cluster.md
/// §4.1). The underclusters are asked in parallel, each bounded by its timeout; the peer lists are cached by
/// <see cref="Undercluster"/>. An undercluster that cannot be asked contributes its last good addresses (the Go
/// peer keeps its last good <c>id</c> too), or none.
/// </summary>
/// <remarks>
/// <c>id</c> must answer quickly and always (§2, §7.1), so it never waits on the underclusters for longer than
/// <see cref="RefreshWait"/>: one refresh at a time runs on its own, and callers that arrive meanwhile share it.
/// Waiting for it instead made every <c>id</c> (the Go peer pings every 15 s) queue behind a hanging
/// <c>GET /peers</c> until one passed the peer's <c>ipfs_request_timeout</c>.
/// </remarks>
internal sealed class SwarmAddressSource(Placement placement, PinPathOptions options, TimeProvider time, ILogger<SwarmAddressSource> logger) : ISwarmAddressSource
{
    /// <summary>Longest an <c>id</c> waits for fresh addresses before answering with the last good ones.</summary>
    internal static readonly TimeSpan RefreshWait = TimeSpan.FromSeconds(1);

    /// <summary>Longest one refresh may run at all (each undercluster is also bounded by its own timeout).</summary>
    internal static readonly TimeSpan RefreshLimit = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, IReadOnlyList<string>> _lastGood = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IReadOnlyList<string> _lastCombined = [];
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
            return Volatile.Read(ref _lastCombined);
        }
    }

    // Not tied to any caller's token: the refresh is shared.
    private async Task<IReadOnlyList<string>> RefreshAsync()
    {
        using var limit = new CancellationTokenSource(RefreshLimit, time);
        IReadOnlyList<string>[] perUndercluster;
        try
        {
            perUndercluster = await FanOut.RunAsync(
                placement.Members,
                async (member, token) =>
                {
                    var peers = await member.Undercluster.GetPeersAsync(token);
                    if (!peers.TryGetValue(out var list, out var failure))
                    {
                        CompositionLog.AddressesFailed(logger, member.Name, GatewayFailure.From(failure).Message);
                        return LastGood(member);
                    }

                    IReadOnlyList<string> addresses = [.. list.OrderBy(p => p.Id, StringComparer.Ordinal).SelectMany(p => p.Ipfs.Addresses ?? [])];
                    lock (_lastGood)
                    {
                        _lastGood[member.Name] = addresses;
                    }

                    return addresses;
                },
                (member, failure) =>
                {
                    CompositionLog.AddressesFailed(logger, member.Name, failure.Message);
                    return LastGood(member);
                },
                time,
                limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return Volatile.Read(ref _lastCombined);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var address in perUndercluster.SelectMany(a => a))
        {
            if (result.Count < options.MaxAddresses && !string.IsNullOrWhiteSpace(address) && seen.Add(address))
            {
                result.Add(address);
            }
        }

        Volatile.Write(ref _lastCombined, result);
        return result;
    }

    private IReadOnlyList<string> LastGood(PlacementMember member)
    {
        lock (_lastGood)
        {
            return _lastGood.TryGetValue(member.Name, out var addresses) ? addresses : [];
        }
    }
}
