using System.Diagnostics;

namespace CompositeGateway.Telemetry;

/// <summary>
/// Continues a caller's W3C trace when ASP.NET Core has started no activity for the request: no trace export configured
/// and its per-request logging off (<c>Hosting/GatewayHost.cs</c>), which saves every request an Activity and a logging
/// scope. A request carrying a <c>traceparent</c> still gets one, the child of the caller's span, so the undercluster
/// calls made while answering it carry the same trace id (docs/observability.md "Traces").
/// </summary>
internal static class IncomingTraceContext
{
    private const string ActivityName = "CompositeGateway.Request";

    public static IApplicationBuilder UseIncomingTraceContext(this IApplicationBuilder app) =>
        app.Use(next => http =>
        {
            if (Activity.Current is not null
                || !http.Request.Headers.TryGetValue("traceparent", out var parent)
                || !ActivityContext.TryParse(parent.ToString(), http.Request.Headers["tracestate"].ToString(), isRemote: true, out var context))
            {
                return next(http);
            }

            return ContinueAsync(http, next, context);
        });

    private static async Task ContinueAsync(HttpContext http, RequestDelegate next, ActivityContext caller)
    {
        using var activity = new Activity(ActivityName);
        activity.SetParentId(caller.TraceId, caller.SpanId, caller.TraceFlags);
        activity.TraceStateString = caller.TraceState;
        activity.Start();
        await next(http);
    }
}
