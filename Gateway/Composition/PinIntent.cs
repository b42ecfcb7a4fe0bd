using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>A pin request as the overcluster peer sends it.</summary>
internal sealed record PinIntent(string Cid, PinMode Mode);
