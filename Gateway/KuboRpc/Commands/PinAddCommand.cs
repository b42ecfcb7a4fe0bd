using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>pin/add</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3). Every pin is started before anything is sent, so a
/// refusal is a Kubo error with its status. With <c>progress=true</c> (what the Go peer always sends) the answer
/// is 200 at once, then a strictly rising <c>{"Progress":n}</c> every <see cref="KuboRpcOptions.ProgressInterval"/>
/// to feed the peer's stall watchdog, then <c>{"Pins":[…]}</c> and a clean end only when every pin completed;
/// a failure after the 200 aborts the connection. Without progress the headers wait for the outcome, as in Kubo.
/// </summary>
internal static class PinAddCommand
{
    public static KuboCommand Definition { get; } = new(
        "pin/add",
        [new KuboArgument("ipfs-path", Required: true, Variadic: true)],
        [
            new KuboOption("recursive", KuboOptionKind.Bool, "r"),
            new KuboOption("progress", KuboOptionKind.Bool),
            new KuboOption("name", KuboOptionKind.String, "n"),
        ],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        var cids = new List<Cid>(call.Arguments.Count);
        foreach (var argument in call.Arguments)
        {
            if (!KuboPaths.TryParseCid(argument, out var cid, out var invalid))
            {
                await call.FailAsync(invalid);
                return;
            }

            cids.Add(cid);
        }

        // Kubo's default is recursive; recursive=false makes a direct pin.
        var mode = call.Flag("recursive", defaultValue: true) ? PinMode.Recursive : PinMode.Direct;
        var pins = call.Service<IPinService>();
        var waits = new List<IPinWait>(cids.Count);
        foreach (var cid in cids)
        {
            var started = await pins.StartPinAsync(new PinIntent(cid, mode), call.Aborted);
            if (started.Failure is { } refused)
            {
                await call.FailAsync(refused);
                return;
            }

            waits.Add(started.Wait!);
        }

        var completion = CompleteAllAsync(waits);
        if (!call.Flag("progress", defaultValue: false))
        {
            var outcome = await completion.WaitAsync(call.Aborted);
            if (outcome is not null)
            {
                await call.FailAsync(outcome);
                return;
            }

            await call.Http.Response.WriteAsJsonAsync(new PinsOutput(Texts(cids)), KuboJsonContext.Wire.PinsOutput, "application/json", call.Aborted);
            return;
        }

        await StreamProgressAsync(call, cids, completion);
    }

    private static async Task StreamProgressAsync(KuboCall call, List<Cid> cids, Task<GatewayFailure?> completion)
    {
        var interval = call.Service<KuboRpcOptions>().ProgressInterval;
        using var stream = new KuboStreamWriter(call.Http);
        await stream.StartAsync(call.Aborted);
        using var timer = new PeriodicTimer(interval, call.Service<TimeProvider>());
        long progress = 0;
        Task<bool>? tick = null;
        while (!completion.IsCompleted)
        {
            tick ??= timer.WaitForNextTickAsync(call.Aborted).AsTask();
            if (await Task.WhenAny(completion, tick) != tick)
            {
                continue;
            }

            await tick;
            tick = null;

            // The Go peer cancels a pin when Progress has not strictly risen within pin_timeout (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3); a
            // counter per tick rises every interval whatever the underclusters report.
            progress++;
            await stream.WriteValueAsync(new PinProgressOutput(progress), KuboJsonContext.Wire.PinProgressOutput, call.Aborted);
        }

        var failure = await completion;
        if (failure is not null)
        {
            await call.FailAsync(failure);
            return;
        }

        await stream.WriteValueAsync(new PinsOutput(Texts(cids)), KuboJsonContext.Wire.PinsOutput, call.Aborted);
    }

    private static List<string> Texts(List<Cid> cids) => [.. cids.Select(c => c.ToString())];

    // Completes with the first failure in argument order, or null once every pin is pinned.
    private static async Task<GatewayFailure?> CompleteAllAsync(List<IPinWait> waits)
    {
        foreach (var wait in waits)
        {
            if (await wait.Completion is { } failure)
            {
                return failure;
            }
        }

        return null;
    }
}
