namespace CompositeGateway.Composition;

/// <summary>
/// Where the <c>Addresses</c> of the gateway's <c>/api/v0/id</c> come from: swarm multiaddresses of the
/// undercluster IPFS daemons. Every address listed is dialled with <c>swarm/connect</c> by the daemons of
/// the other overcluster peers (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.1), so list only addresses that hold
/// the content (the undercluster daemons), never the gateway's own listener.
/// </summary>
internal interface ISwarmAddressSource
{
    /// <summary>Multiaddress strings (e.g. <c>/ip4/1.2.3.4/tcp/4001/p2p/12D3Koo…</c>); empty when none are known.</summary>
    Task<IReadOnlyList<string>> GetSwarmAddressesAsync(CancellationToken cancellationToken);
}
