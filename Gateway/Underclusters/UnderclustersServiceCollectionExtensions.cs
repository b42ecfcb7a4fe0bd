using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Underclusters;

internal static class UnderclustersServiceCollectionExtensions
{
    /// <summary>
    /// The undercluster module: one client per undercluster (<see cref="ClusterClientRegistration.AddClusterClients"/>, added
    /// here unless already registered), the health registry and its one read side (<see cref="IUnderclusterHealthView"/>),
    /// its gauges, and the background probes that feed it and hold an undercluster's circuit open while it is down.
    /// Needs <see cref="GatewayMetrics"/> and the <see cref="GatewayIdentity"/> registered (the inception check).
    /// </summary>
    public static IServiceCollection AddUnderclusters(this IServiceCollection services, GatewayOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var health = new UnderclusterHealth(
                options.Underclusters.Select(u => u.Name),
                options.Health,
                provider.GetRequiredService<TimeProvider>());
            if (provider.GetService<GatewayMetrics>() is { } metrics)
            {
                UnderclusterGauges.Observe(metrics.Factory, metrics.Registry, health);
            }

            return health;
        });
        services.TryAddSingleton<IUnderclusterHealthView>(provider => provider.GetRequiredService<UnderclusterHealth>());

        services.AddClusterClients(options);
        services.TryAddSingleton<UnderclusterProbe>();
        services.TryAddSingleton(provider => new TopologyDiscovery(
            options,
            provider.GetRequiredService<ClusterClientRegistry>(),
            provider.GetRequiredService<UnderclusterProbe>(),
            provider.GetRequiredService<GatewayIdentity>().PeerId,
            provider.GetRequiredService<TimeProvider>()));
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
