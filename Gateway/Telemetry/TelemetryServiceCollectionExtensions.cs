using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GatewayMetrics"/> (this host's prometheus-net registry, served at <c>/metrics</c>), the
    /// process metrics and Kestrel's connection gauge.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, GatewayMetricsOptions? options = null)
    {
        services.AddMetrics();
        services.TryAddSingleton(_ => new GatewayMetrics(options));
        services.TryAddSingleton<ProcessMetrics>();
        services.TryAddSingleton<KestrelConnections>();
        // A hosted service so that the families exist (and read 0) before anything records or the first scrape.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetryStartup>());
        return services;
    }

    private sealed class TelemetryStartup(GatewayMetrics gatewayMetrics, ProcessMetrics processMetrics, KestrelConnections kestrel) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(gatewayMetrics);
            GC.KeepAlive(processMetrics);
            GC.KeepAlive(kestrel);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
