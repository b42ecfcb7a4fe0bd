using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>Answer to <see cref="IPinService.QueryAsync"/>: exactly one of pinned (with mode), not pinned, or failed.</summary>
internal sealed record PinQueryResult
{
    public PinMode? PinnedAs { get; private init; }
    public GatewayFailure? Failure { get; private init; }

    public static PinQueryResult Pinned(PinMode mode) => new() { PinnedAs = mode };
    public static PinQueryResult NotPinned { get; } = new();
    public static PinQueryResult Failed(GatewayFailure failure) => new() { Failure = failure };
}
