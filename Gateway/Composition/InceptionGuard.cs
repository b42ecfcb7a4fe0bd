using CompositeGateway.Clusters;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Refuses pin operations and space reports while the health monitor has found an undercluster
/// whose IPFS daemon is this gateway (the inception topology): every pin would come back here
/// through that undercluster's peer and wait on itself. The refusal is a Kubo error the
/// overcluster peer shows as the pin's error; a failed repo/stat makes it publish no freespace
/// metric, so it stops allocating pins to this gateway at all (docs/protocol/kubo-rpc-as-called-by-cluster.md §6).
/// </summary>
internal sealed class InceptionGuard(IUnderclusterHealthView health, IReadOnlyList<string> underclusters)
{
    public GatewayFailure? Refusal()
    {
        foreach (var name in underclusters)
        {
            if (health.TryGetRefusal(name, out var message))
            {
                return new GatewayFailure(message, Transient: false) { Kind = GatewayFailureKind.Refused, Underclusters = [name] };
            }
        }

        return null;
    }
}
