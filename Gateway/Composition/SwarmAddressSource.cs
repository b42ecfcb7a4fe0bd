namespace CompositeGateway.Composition;

/// <summary>
/// <c>id</c>'s <c>Addresses</c>: the swarm addresses of the undercluster peers' IPFS daemons
/// (<c>ipfs.addresses</c> of <c>GET /peers</c>, cluster-rest-api.md §2.3), de-duplicated and capped at
/// <see cref="PinPathOptions.MaxAddresses"/>: those daemons hold the content, and the other overcluster
/// peers' daemons dial every address listed (ipfs-rpc-as-called-by-cluster.md §4.1). The peer list is
/// cached by <see cref="Undercluster"/>; when the undercluster cannot be asked, the last good answer
/// stands (the Go peer keeps its last good <c>id</c> too), or none.
/// </summary>
internal sealed class SwarmAddressSource(Undercluster undercluster, PinPathOptions options, ILogger<SwarmAddressSource> logger) : ISwarmAddressSource
{
    private IReadOnlyList<string> _lastGood = [];

    public async Task<IReadOnlyList<string>> GetSwarmAddressesAsync(CancellationToken cancellationToken)
    {
        var peers = await undercluster.GetPeersAsync(cancellationToken);
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
