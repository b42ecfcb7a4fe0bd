using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;
using Microsoft.AspNetCore.Mvc;
using Prometheus;

namespace CompositeGateway.Admin;

internal static class AdminEndpoints
{
    /// <summary>
    /// <c>/health</c>, <c>/ready</c>, <c>/topology</c> and <c>/metrics</c>. The host routes these to the admin
    /// listener only; they are not meant for the overcluster peer's Kubo RPC port.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", static () =>
            Results.Json(new HealthReport("ok", ProductInfo.Version), AdminJsonContext.Default.HealthReport));

        endpoints.MapGet("/ready", static ([FromServices] IUnderclusterHealthView health, [FromServices] ReadinessPolicy policy) =>
        {
            var report = ReadinessReport.From(health.Snapshot(), policy.Optional);
            return Results.Json(
                report,
                AdminJsonContext.Default.ReadinessReport,
                statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        // Discovery calls every undercluster (and its daemon) live, bounded by the default time budget; see docs/observability.md.
        endpoints.MapGet("/topology", static async (
            [FromServices] TopologyDiscovery discovery,
            [FromQuery] string? format,
            [FromQuery] int? depth,
            CancellationToken cancellationToken) =>
        {
            if (format is not (null or "json" or "mermaid" or "text"))
            {
                return Results.Text($"unknown format \"{format}\": use json, text or mermaid\n", statusCode: StatusCodes.Status400BadRequest);
            }

            var report = await discovery.DiscoverAsync(depth ?? TopologyDiscovery.MaxDepth, TopologyDiscovery.DefaultBudget, cancellationToken);
            return format switch
            {
                "mermaid" => Results.Text(TopologyRenderer.Mermaid(report), "text/plain; charset=utf-8"),
                "text" => Results.Text(TopologyRenderer.Text(report), "text/plain; charset=utf-8"),
                _ => Results.Json(report, AdminJsonContext.Default.TopologyReport),
            };
        });

        // Text format 0.0.4 only (no OpenMetrics negotiation): the exposition documented and linted by promtool.
        endpoints.MapMetrics(settings =>
        {
            settings.Registry = endpoints.ServiceProvider.GetRequiredService<GatewayMetrics>().Registry;
            settings.EnableOpenMetrics = false;
        });

        return endpoints;
    }
}
