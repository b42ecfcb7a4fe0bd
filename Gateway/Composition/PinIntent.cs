using CompositeGateway.Clusters;
using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary>A pin request as the overcluster peer sends it.</summary>
internal sealed record PinIntent(Cid Cid, PinMode Mode);
