using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    private const string KestrelMeterName = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>
    /// Registers <see cref="GatewayMetrics"/>, the process metrics and the collector behind
    /// <c>/metrics</c>.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IMeterFactory>();
            return new PrometheusCollector(instrument => ExportName(instrument, factory));
        });
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<ProcessMetrics>();
        // A hosted service so that the listener and the instruments exist before anything records.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetryStartup>());
        return services;
    }

    /// <summary>
    /// Our meters under their own names, Kestrel's connection gauge under a Prometheus name, and
    /// nothing else: ASP.NET's other meters carry high-cardinality route tags we have not mapped.
    /// Only meters of this host's factory count, so two hosts in one process stay apart.
    /// </summary>
    private static string? ExportName(Instrument instrument, IMeterFactory factory)
    {
        if (!ReferenceEquals(instrument.Meter.Scope, factory))
        {
            return null;
        }

        return instrument.Meter.Name switch
        {
            GatewayMetrics.MeterName or ProcessMetrics.MeterName => instrument.Name,
            KestrelMeterName when instrument.Name == "kestrel.active_connections" => "kestrel_active_connections",
            _ => null,
        };
    }

    private sealed class TelemetryStartup(PrometheusCollector collector, GatewayMetrics gatewayMetrics, ProcessMetrics processMetrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(collector);
            GC.KeepAlive(gatewayMetrics);
            GC.KeepAlive(processMetrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
