using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Maps <c>/api/v0/…</c>. Like go-ipfs-cmds' handler, the method is checked first: POST runs the command,
/// OPTIONS answers 204 with <c>Allow: OPTIONS, POST</c> (Kubo's answer to a non-preflight OPTIONS; ipfsproxy
/// sends such requests to learn CORS headers, and gets none, as from a Kubo without CORS settings), any other
/// method (compared exactly, as Go does) is 405. Unlike Kubo, whose parse failures are plain text, every error here is Kubo's JSON form.
/// </summary>
internal static class KuboRpcEndpoints
{
    public const string Prefix = "/api/v0";

    public static IEndpointConventionBuilder MapKuboRpc(this IEndpointRouteBuilder endpoints)
    {
        // The application's (singleton) services, not http.RequestServices: touching that makes a DI scope for every
        // request, which a forwarded request otherwise never needs (docs/forwarding.md "Performance").
        var services = endpoints.ServiceProvider;
        // One logger for every request: ILoggerFactory.CreateLogger(Type) formats the type's name each time it is asked.
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KuboRpcEndpoints));
        return endpoints.Map(Prefix + "/{**command}", (RequestDelegate)(http => DispatchAsync(http, services, log))).WithDisplayName("Kubo RPC");
    }

    /// <summary>
    /// Runs a forwarded command (a POST of <c>/api/v0/&lt;path&gt;</c> that the gateway does not answer and
    /// <see cref="IUnansweredCommands"/> forwards) as soon as it is met, without endpoint routing: the same dispatch as the
    /// endpoint of <see cref="MapKuboRpc"/>, so the request metrics are the same. Placed after Kubo's browser protections and
    /// authorization, which every route keeps; everything else passes on to routing (docs/forwarding.md "Performance").
    /// </summary>
    public static IApplicationBuilder UseKuboForwardedCommands(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        if (services.GetService<IUnansweredCommands>() is not { } unanswered)
        {
            return app;
        }

        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KuboRpcEndpoints));
        return app.Use(next => http =>
        {
            var path = http.Request.Path.Value ?? "";
            // The route's literal "/api/v0/" compares case-insensitively; the method exactly, as Go does.
            if (path.Length > Prefix.Length + 1 && path[Prefix.Length] == '/' && path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
                && string.Equals(http.Request.Method, HttpMethods.Post, StringComparison.Ordinal))
            {
                var command = path[(Prefix.Length + 1)..];
                if (!KuboCommandTable.TryResolve(command, out _, out _) && unanswered.Forwards(command))
                {
                    return DispatchAsync(http, services, log);
                }
            }

            return next(http);
        });
    }

    /// <summary>
    /// Every path nothing else answers, as Kubo's JSON error rather than an empty 404: paths outside
    /// <c>/api/v0</c>, and those whose dot segments (<c>/api/v0/%2e%2e/…</c>, which Kestrel decodes and removes)
    /// lead out of it. Go's mux answers these with a redirect to the cleaned path, then <c>404 page not found</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapKuboNotFound(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapFallback("{**path}", NotFoundAsync).WithDisplayName("Kubo RPC not found");

    private static Task NotFoundAsync(HttpContext http)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "";
        var shown = raw.Length <= 256 ? raw : string.Concat(raw.AsSpan(0, 256), "…");
        return KuboErrorWriter.WriteAsync(http, new KuboFailure(StatusCodes.Status404NotFound, KuboErrorCode.Client, $"404 page not found: {shown}"));
    }

    private static async Task DispatchAsync(HttpContext http, IServiceProvider services, ILogger log)
    {
        var metrics = services.GetService<GatewayMetrics>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var commandLabel = "unknown";
        try
        {
            commandLabel = await DispatchCoreAsync(http, services, log);
        }
        finally
        {
            // An aborted stream reports the status it started with; the abort itself shows in the logs.
            metrics?.RecordKuboRequest(commandLabel, http.Response.StatusCode, time.GetElapsedTime(started));
            if (KuboErrorWriter.ErrorKind(http) is { } kind)
            {
                metrics?.RecordKuboError(commandLabel, kind);
            }
        }
    }

    /// <summary>Runs one request; returns the command path for metrics (a closed set: unknown paths are "unknown").</summary>
    private static async Task<string> DispatchCoreAsync(HttpContext http, IServiceProvider services, ILogger log)
    {
        var request = http.Request;
        var path = request.Path.Value ?? "";
        path = path.Length > Prefix.Length ? path[(Prefix.Length + 1)..] : "";
        // A known command keeps its label on a refused method too, so a client sending GET shows up under it.
        // Resolved once: a forwarded command is looked up here and then only by the forwarder's own list.
        KuboCommandTable.TryResolve(path, out var command, out var pathArgument);
        var label = command?.Path ?? "unknown";
        // Methods are compared exactly, as Go does: "post" is not POST and runs nothing.
        if (string.Equals(request.Method, HttpMethods.Options, StringComparison.Ordinal))
        {
            http.Response.Headers.Allow = "OPTIONS, POST";
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return label;
        }

        if (!string.Equals(request.Method, HttpMethods.Post, StringComparison.Ordinal))
        {
            http.Response.Headers.Allow = "OPTIONS, POST";
            await KuboErrorWriter.WriteAsync(http, KuboFailure.MethodNotAllowed);
            return label;
        }

        if (command is null)
        {
            // Not the gateway's own: an undercluster's IPFS daemon may answer it (docs/forwarding.md).
            if (services.GetService<IUnansweredCommands>() is { } unanswered)
            {
                return await unanswered.AnswerAsync(http, path);
            }

            await KuboErrorWriter.WriteAsync(http, KuboFailure.UnknownCommand(path));
            return "unknown";
        }

        if (services.GetService<IAnswerHeaders>() is { } extracted)
        {
            await extracted.ApplyAsync(http, http.RequestAborted);
        }

        if (!KuboRequestParser.TryParse(http, services, command, pathArgument, out var call, out var failure))
        {
            await KuboErrorWriter.WriteAsync(http, failure);
            return command.Path;
        }

        using var scope = KuboRpcLog.BeginRequestScope(log, command.Path, call.Arguments.Count > 0 ? call.Arguments[0] : null);
        try
        {
            await command.Handler(call);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (the Go peer cancels on its timeouts and on superseded operations).
        }
        catch (Exception e) when (BrokenRequest(e) is { } broken)
        {
            // A truncated upload or a bad chunk mid-body is the caller's doing (Kestrel says so), not a crash of the command.
            KuboRpcLog.RequestBroken(log, command.Path, broken.Message);
            await KuboErrorWriter.WriteAsync(http, new KuboFailure(broken.StatusCode, KuboErrorCode.Client, broken.Message));
        }
        catch (Exception e)
        {
            KuboRpcLog.CommandCrashed(log, command.Path, e);
            await KuboErrorWriter.WriteAsync(http, KuboFailure.Internal);
        }

        return command.Path;
    }

    private static BadHttpRequestException? BrokenRequest(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is BadHttpRequestException bad)
            {
                return bad;
            }
        }

        return null;
    }
}
