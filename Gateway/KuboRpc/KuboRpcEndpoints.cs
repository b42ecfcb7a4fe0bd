using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Maps <c>/api/v0/…</c>. Like go-ipfs-cmds' handler, the method is checked first: POST runs the command,
/// OPTIONS answers 204 with <c>Allow: OPTIONS, POST</c> (Kubo's answer to a non-preflight OPTIONS; ipfsproxy
/// sends such requests to learn CORS headers, and gets none, as from a Kubo without CORS settings), any other
/// method is 405. Unlike Kubo, whose parse failures are plain text, every error here is Kubo's JSON form.
/// </summary>
internal static class KuboRpcEndpoints
{
    public const string Prefix = "/api/v0";

    public static IEndpointConventionBuilder MapKuboRpc(this IEndpointRouteBuilder endpoints) =>
        endpoints.Map(Prefix + "/{**command}", DispatchAsync).WithDisplayName("Kubo RPC");

    private static async Task DispatchAsync(HttpContext http)
    {
        var metrics = http.RequestServices.GetService<GatewayMetrics>();
        var time = http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var commandLabel = "unknown";
        try
        {
            commandLabel = await DispatchCoreAsync(http);
        }
        finally
        {
            // An aborted stream reports the status it started with; the abort itself shows in the logs.
            metrics?.RecordKuboRequest(commandLabel, http.Response.StatusCode, time.GetElapsedTime(started));
        }
    }

    /// <summary>Runs one request; returns the command path for metrics (a closed set: unknown paths are "unknown").</summary>
    private static async Task<string> DispatchCoreAsync(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsOptions(request.Method))
        {
            http.Response.Headers.Allow = "OPTIONS, POST";
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return "unknown";
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = "OPTIONS, POST";
            await KuboErrorWriter.WriteAsync(http, KuboFailure.MethodNotAllowed);
            return "unknown";
        }

        var path = request.Path.Value ?? "";
        path = path.Length > Prefix.Length ? path[(Prefix.Length + 1)..] : "";
        if (!KuboCommandTable.TryResolve(path, out var command, out var pathArgument))
        {
            // Not the gateway's own: an undercluster's IPFS daemon may answer it (docs/forwarding.md).
            if (http.RequestServices.GetService<IUnansweredCommands>() is { } unanswered)
            {
                return await unanswered.AnswerAsync(http, path);
            }

            await KuboErrorWriter.WriteAsync(http, KuboFailure.UnknownCommand(path));
            return "unknown";
        }

        if (http.RequestServices.GetService<IAnswerHeaders>() is { } extracted)
        {
            await extracted.ApplyAsync(http, http.RequestAborted);
        }

        if (!KuboRequestParser.TryParse(http, command, pathArgument, out var call, out var failure))
        {
            await KuboErrorWriter.WriteAsync(http, failure);
            return command.Path;
        }

        try
        {
            await command.Handler(call);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (the Go peer cancels on its timeouts and on superseded operations).
        }
        catch (Exception e)
        {
            KuboRpcLog.CommandCrashed(Log(http), command.Path, e);
            await KuboErrorWriter.WriteAsync(http, KuboFailure.Internal);
        }

        return command.Path;
    }

    private static ILogger Log(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KuboRpcEndpoints));
}
