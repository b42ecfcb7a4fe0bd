using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>pin/update</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.5): the Go peer sends it with <c>unpin=false</c>; Kubo's default is <c>unpin=true</c>.
/// Kubo's command has no progress output, so the answer <c>{"Pins":["&lt;from&gt;","&lt;to&gt;"]}</c> (or the
/// error) comes when the new pin completes; the Go peer gives this call no timeout of its own.
/// </summary>
internal static class PinUpdateCommand
{
    public static KuboCommand Definition { get; } = new(
        "pin/update",
        [new KuboArgument("from-path", Required: true), new KuboArgument("to-path", Required: true)],
        [new KuboOption("unpin", KuboOptionKind.Bool)],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (!KuboPaths.TryParseCid(call.Arguments[0], out var from, out var invalid)
            || !KuboPaths.TryParseCid(call.Arguments[1], out var to, out invalid))
        {
            await call.FailAsync(invalid);
            return;
        }

        var started = await call.Service<IPinService>().StartUpdateAsync(
            from, to, call.Flag("unpin", defaultValue: true), call.Aborted);
        var failure = started.Failure ?? await started.Wait!.Completion.WaitAsync(call.Aborted);
        if (failure is not null)
        {
            await call.FailAsync(failure);
            return;
        }

        await call.Http.Response.WriteAsJsonAsync(
            new PinsOutput([from.ToString(), to.ToString()]), KuboJsonContext.Wire.PinsOutput, "application/json", call.Aborted);
    }
}
