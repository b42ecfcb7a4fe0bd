using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;
using Microsoft.AspNetCore.Mvc;
using Prometheus;

namespace CompositeGateway.Admin;

internal static class AdminEndpoints
{
    /// <summary>
    /// <c>/health</c>, <c>/ready</c> and <c>/metrics</c>. The host routes these to the admin
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

        // Text format 0.0.4 only (no OpenMetrics negotiation): the exposition documented and linted by promtool.
        endpoints.MapMetrics(settings =>
        {
            settings.Registry = endpoints.ServiceProvider.GetRequiredService<GatewayMetrics>().Registry;
            settings.EnableOpenMetrics = false;
        });

        return endpoints;
    }
}
