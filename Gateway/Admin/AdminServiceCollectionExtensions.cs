using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// Undercluster health (registry and background probes), telemetry and what the admin
    /// endpoints need. Call it before other hosted services so that metrics listen from the start.
    /// </summary>
    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, GatewayOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new UnderclusterHealth(
            options.Underclusters.Select(u => u.Name),
            options.Health,
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(new ReadinessPolicy(options.Underclusters.Where(u => !u.Required).Select(u => u.Name).ToHashSet(StringComparer.Ordinal)));
        services.AddGatewayTelemetry();

        // The probe is bounded by each undercluster's own timeout, not HttpClient's 100 s default;
        // and a probe every few seconds per undercluster must not log every request.
        services.AddHttpClient(UnderclusterProbe.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        services.TryAddSingleton<UnderclusterProbe>();
        services.AddHostedService(provider => new UnderclusterHealthMonitor(
            options.Underclusters,
            options.Health,
            provider.GetRequiredService<UnderclusterProbe>(),
            provider.GetRequiredService<UnderclusterHealth>(),
            provider.GetRequiredService<GatewayMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<UnderclusterHealthMonitor>>()));
        return services;
    }
}
