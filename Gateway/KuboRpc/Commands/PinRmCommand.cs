using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;
using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>pin/rm</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6): each argument in turn, stopping at the first failure as Kubo does. A CID this gateway
/// does not own answers exactly <c>not pinned or pinned indirectly</c>, which the Go peer reads as "already
/// unpinned" — it sends <c>pin/rm</c> for every pin allocated elsewhere. <c>recursive</c> is accepted and
/// ignored: removing this gateway's ownership does not depend on the pin type.
/// </summary>
internal static class PinRmCommand
{
    public static KuboCommand Definition { get; } = new(
        "pin/rm",
        [new KuboArgument("ipfs-path", Required: true, Variadic: true)],
        [new KuboOption("recursive", KuboOptionKind.Bool, "r")],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        var pins = call.Service<IPinService>();
        var removed = new List<string>(call.Arguments.Count);
        foreach (var argument in call.Arguments)
        {
            if (!KuboPaths.TryParseCid(argument, out var cid, out var invalid))
            {
                await call.FailAsync(invalid);
                return;
            }

            var result = await pins.UnpinAsync(cid, call.Aborted);
            switch (result.Outcome)
            {
                case UnpinOutcome.Unpinned:
                    removed.Add(cid.ToString());
                    break;
                case UnpinOutcome.NotPinned:
                    await call.FailAsync(KuboFailure.Normal(KuboFailure.NotPinnedOrPinnedIndirectly) with { Kind = KuboErrorKinds.NotPinned });
                    return;
                default:
                    await call.FailAsync(result.Failure ?? new GatewayFailure("unpin failed", Transient: false));
                    return;
            }
        }

        await call.Http.Response.WriteAsJsonAsync(new PinsOutput(removed), KuboJsonContext.Wire.PinsOutput, "application/json", call.Aborted);
    }
}
