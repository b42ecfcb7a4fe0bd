namespace CompositeGateway.Composition;

/// <summary>
/// <c>id</c>'s <c>Addresses</c>: the swarm addresses of every undercluster's peers' IPFS daemons
/// (<c>ipfs.addresses</c> of <c>GET /peers</c>, cluster-rest-api.md §2.3), underclusters in configuration order and
/// peers in ID order, de-duplicated and capped at <see cref="PinPathOptions.MaxAddresses"/>: those daemons hold
/// the content, and the other overcluster peers' daemons dial every address listed (ipfs-rpc-as-called-by-cluster.md
/// §4.1). The underclusters are asked in parallel, each bounded by its timeout; the peer lists are cached by
/// <see cref="Undercluster"/>. An undercluster that cannot be asked contributes its last good addresses (the Go
/// peer keeps its last good <c>id</c> too), or none.
/// </summary>
internal sealed class SwarmAddressSource(Placement placement, PinPathOptions options, TimeProvider time, ILogger<SwarmAddressSource> logger) : ISwarmAddressSource
{
    private readonly Dictionary<string, IReadOnlyList<string>> _lastGood = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> GetSwarmAddressesAsync(CancellationToken cancellationToken)
    {
        var perUndercluster = await FanOut.RunAsync(
            placement.Members,
            async (member, token) =>
            {
                var peers = await member.Undercluster.GetPeersAsync(token);
                if (!peers.TryGetValue(out var list, out var failure))
                {
                    CompositionLog.AddressesFailed(logger, member.Name, Undercluster.Describe(failure).Message);
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
            cancellationToken);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var address in perUndercluster.SelectMany(a => a))
        {
            if (result.Count < options.MaxAddresses && !string.IsNullOrWhiteSpace(address) && seen.Add(address))
            {
                result.Add(address);
            }
        }

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
