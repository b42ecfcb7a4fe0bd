using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>Answer to starting a pin: a failure to answer before streaming, or a wait to stream progress for.</summary>
internal sealed record PinStartResult
{
    public IPinWait? Wait { get; private init; }
    public GatewayFailure? Failure { get; private init; }

    public static PinStartResult Started(IPinWait wait) => new() { Wait = wait };
    public static PinStartResult Failed(GatewayFailure failure) => new() { Failure = failure };
}
