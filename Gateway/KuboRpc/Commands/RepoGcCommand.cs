using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;
using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>repo/gc</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.9): streams <c>{"Key":{"/":"&lt;cid&gt;"}}</c> per removed key. With
/// <c>stream-errors=true</c> (what the Go peer sends) errors are values <c>{"Key":null,"Error":"…"}</c>; otherwise
/// they are gathered into one final error, as Kubo does — a Kubo error if nothing was sent yet, else an aborted
/// stream (the Go peer ignores trailers). A collection that could not run at all ends the same way.
/// </summary>
internal static class RepoGcCommand
{
    // Errors kept for the final message; the rest are only counted, so a failing run cannot grow memory unbounded.
    private const int MaxGatheredErrors = 20;

    public static KuboCommand Definition { get; } = new(
        "repo/gc",
        [],
        [
            new KuboOption("stream-errors", KuboOptionKind.Bool),
            new KuboOption("quiet", KuboOptionKind.Bool, "q"),
            new KuboOption("silent", KuboOptionKind.Bool),
        ],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (call.OptionalService<IGarbageCollector>() is not { } collector)
        {
            await call.FailAsync(KuboFailure.Normal("repo/gc is not available: no garbage collector is configured") with { Kind = KuboErrorKinds.Internal });
            return;
        }

        var streamErrors = call.Flag("stream-errors", defaultValue: false);
        var errors = new List<string>();
        var errorCount = 0;
        using var writer = new KuboStreamWriter(call.Http);
        var report = collector.CollectAsync(call.Aborted);
        await foreach (var item in report)
        {
            if (item.Cid is { } cid)
            {
                await writer.WriteValueAsync(new RepoGcLine(new CidLink(cid)), KuboJsonContext.Wire.RepoGcLine, call.Aborted);
            }
            else if (streamErrors)
            {
                await writer.WriteValueAsync(new RepoGcLine(null) { Error = item.Error ?? "" }, KuboJsonContext.Wire.RepoGcLine, call.Aborted);
            }
            else if (++errorCount <= MaxGatheredErrors)
            {
                errors.Add(item.Error ?? "");
            }
        }

        if (report.Failure is { } failure)
        {
            await call.FailAsync(failure);
            return;
        }

        if (errorCount > 0)
        {
            var more = errorCount > errors.Count ? $"; and {errorCount - errors.Count} more" : "";
            await call.FailAsync(KuboFailure.Normal("encountered errors during gc run: " + string.Join("; ", errors) + more) with { Kind = KuboErrorKinds.UnderclusterError });
            return;
        }

        await writer.StartAsync(call.Aborted);
    }
}
