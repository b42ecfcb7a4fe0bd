using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>resolve</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.10): the gateway holds no DAGs and no IPNS records, so only an immutable
/// <c>/ipfs/&lt;cid&gt;</c> without sub-path resolves (to itself); sub-paths and <c>/ipns/</c> get a clear error.
/// </summary>
internal static class ResolveCommand
{
    public static KuboCommand Definition { get; } = new(
        "resolve",
        [new KuboArgument("name", Required: true)],
        [new KuboOption("recursive", KuboOptionKind.Bool, "r")],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (!KuboPaths.TryParseCid(call.Arguments[0], out var cid, out var invalid))
        {
            await call.FailAsync(invalid);
            return;
        }

        await call.Http.Response.WriteAsJsonAsync(new ResolveOutput("/ipfs/" + cid), KuboJsonContext.Wire.ResolveOutput, "application/json", call.Aborted);
    }
}
