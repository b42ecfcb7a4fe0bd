using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>One item of the full listing.</summary>
internal sealed record PinnedItem(string Cid, PinMode Mode, string Name);
