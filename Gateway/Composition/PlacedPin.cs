using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>What one undercluster answered about a CID for this gateway.</summary>
internal enum PlacedKind
{
    /// <summary>The undercluster could not be asked (or could not tell): its failure says why.</summary>
    Unknown,

    /// <summary>Not in its pinset, or not carrying this gateway's owner key.</summary>
    NotOwned,

    /// <summary>Owned by this gateway; <see cref="PlacedPin.State"/> is the <c>pinned_when</c> verdict there.</summary>
    Owned,
}

/// <summary>One undercluster's answer about one CID: the input of <see cref="Placement.Verdict"/>.</summary>
internal sealed record PlacedPin(string Undercluster, PlacedKind Kind, PinState State, PinMode Mode, GatewayFailure? Failure)
{
    public static PlacedPin Unknown(string undercluster, GatewayFailure failure) => new(undercluster, PlacedKind.Unknown, PinState.Undetermined, PinMode.Recursive, failure);

    public static PlacedPin NotOwned(string undercluster) => new(undercluster, PlacedKind.NotOwned, PinState.Absent, PinMode.Recursive, null);

    public static PlacedPin Owned(string undercluster, PinState state, PinMode mode, string? problem) =>
        new(undercluster, PlacedKind.Owned, state, mode, problem is null ? null : new GatewayFailure(problem, Transient: state == PinState.Undetermined));

    public bool IsPinned => Kind == PlacedKind.Owned && State == PinState.Pinned;

    /// <summary>The answer could not say whether the pin is there and pinned (a call failed, or the rule's peers could not be asked).</summary>
    public bool IsUndetermined => Kind == PlacedKind.Unknown || (Kind == PlacedKind.Owned && State == PinState.Undetermined);

    /// <summary>The single-undercluster <c>pin/ls?arg=</c> answer (docs/design/pin-path.md): a failure is never "not pinned".</summary>
    public PinQueryResult ToQueryResult() => Kind switch
    {
        PlacedKind.Unknown => PinQueryResult.Failed(Failure!),
        PlacedKind.NotOwned => PinQueryResult.NotPinned,
        _ => State switch
        {
            PinState.Pinned => PinQueryResult.Pinned(Mode),
            PinState.Undetermined => PinQueryResult.Failed(Failure!),
            _ => PinQueryResult.NotPinned,
        },
    };
}
