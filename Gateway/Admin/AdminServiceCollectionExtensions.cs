using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// Undercluster health (registry and background probes), telemetry and what the admin
    /// endpoints need. Call it before other hosted services so that metrics listen from the start.
    /// Probes go through the undercluster clients (<c>AddClusterClients</c>, added here unless already
    /// registered) and need the <see cref="GatewayIdentity"/> registered, for the inception check.
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

        services.AddClusterClients(options);
        services.TryAddSingleton<UnderclusterProbe>();
        services.AddHostedService(provider => new UnderclusterHealthMonitor(
            options.Underclusters,
            options.Health,
            provider.GetRequiredService<ClusterClientRegistry>(),
            provider.GetRequiredService<UnderclusterProbe>(),
            provider.GetRequiredService<UnderclusterHealth>(),
            provider.GetRequiredService<GatewayIdentity>(),
            provider.GetRequiredService<GatewayMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<UnderclusterHealthMonitor>>()));
        return services;
    }
}
