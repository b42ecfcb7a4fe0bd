using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;
using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>id</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §2, §4.1): the Go peer polls it until it succeeds and only then becomes ready, and calls it every
/// 15 s after, so it must answer quickly and always. Addresses come from the undercluster daemons; if they are
/// unavailable the answer still goes out, without addresses (an empty list is valid for the Go peer).
/// </summary>
internal static class IdCommand
{
    public static KuboCommand Definition { get; } = new(
        "id",
        [new KuboArgument("peerid", Required: false)],
        [new KuboOption("format", KuboOptionKind.String, "f"), new KuboOption("peerid-base", KuboOptionKind.String)],
        HandleAsync);

    public static string AgentVersion => ProductInfo.AgentVersion;

    private static async Task HandleAsync(KuboCall call)
    {
        var identity = call.Service<INodeIdentity>();
        if (call.Arguments.Count > 0 && call.Arguments[0] != identity.PeerId)
        {
            // Kubo would look another peer up in the routing system; the gateway only knows itself.
            await call.FailAsync(KuboFailure.Normal("routing: not found") with { Kind = KuboErrorKinds.NotFound });
            return;
        }

        IReadOnlyList<string> addresses = [];
        if (call.OptionalService<ISwarmAddressSource>() is { } source)
        {
            try
            {
                addresses = await source.GetSwarmAddressesAsync(call.Aborted);
            }
            catch (Exception e) when (e is not OperationCanceledException || !call.Aborted.IsCancellationRequested)
            {
                KuboRpcLog.SwarmAddressesUnavailable(call.Service<ILoggerFactory>().CreateLogger(typeof(IdCommand)), e);
            }
        }

        var output = new IdOutput
        {
            Id = identity.PeerId,
            PublicKey = identity.PublicKey,
            Addresses = addresses,
            AgentVersion = AgentVersion,
        };
        await call.Http.Response.WriteAsJsonAsync(output, KuboJsonContext.Wire.IdOutput, "application/json", call.Aborted);
    }
}
