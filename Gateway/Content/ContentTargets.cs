using CompositeGateway.Clusters;
using CompositeGateway.Composition;

namespace CompositeGateway.Content;

/// <summary>
/// Where uploaded content (<c>block/put</c>, <c>dag/put</c>, <c>add</c>) goes: every healthy undercluster.
/// Blocks arrive before anyone says which root they belong to, and the later <c>pin/add</c> of that root may be
/// placed on any healthy member by any policy (docs/design/content.md), so only a copy everywhere is sure to
/// be where the pin lands. Unhealthy members are left out rather than failing the upload: placement will not
/// put the pin there either.
/// </summary>
internal sealed class ContentTargets(Placement placement)
{
    /// <summary>Every healthy member in configuration order, or a failure when none is healthy.</summary>
    public IReadOnlyList<PlacementMember> Choose(out GatewayFailure? failure)
    {
        var healthy = placement.Members.Where(placement.IsHealthy).ToList();
        if (healthy.Count == 0)
        {
            var down = string.Join(", ", placement.Members.Select(m => $"\"{m.Name}\""));
            failure = new GatewayFailure($"no healthy undercluster to store content in ({down} down)", Transient: true);
            return [];
        }

        failure = null;
        return healthy;
    }
}
