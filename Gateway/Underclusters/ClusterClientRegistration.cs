using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Underclusters;

/// <summary><c>services.AddClusterClients(options)</c>: one named <c>HttpClient</c> and one <see cref="ClusterClient"/> per undercluster.</summary>
internal static class ClusterClientRegistration
{
    /// <summary>The <c>IHttpClientFactory</c> name of an undercluster's client.</summary>
    public static string HttpClientName(string cluster) => "undercluster:" + cluster;

    /// <remarks>
    /// Idempotent: the first call wins, so every feature that needs the clients (Admin's health
    /// monitor, Composition) may call it and the process still has one client (one connection pool,
    /// one circuit breaker) per undercluster.
    /// </remarks>
    public static IServiceCollection AddClusterClients(this IServiceCollection services, GatewayOptions options, ClusterClientSettings? settings = null)
    {
        if (services.Any(d => d.ServiceType == typeof(ClusterClientRegistry)))
        {
            return services;
        }

        settings ??= new ClusterClientSettings();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        // The registry needs the factory even with no undercluster configured (tests, tools).
        services.AddHttpClient();

        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterClient>();
            return new ClusterResiliencePipelines(options.Underclusters.ToDictionary(
                c => c.Name,
                c => new ClusterResilience(c, settings, time, logger),
                StringComparer.Ordinal));
        });

        foreach (var cluster in options.Underclusters)
        {
            services.AddHttpClient(HttpClientName(cluster.Name), http =>
                {
                    // The resilience handler times each attempt; HttpClient's own timeout would also cut streams' bodies.
                    http.Timeout = Timeout.InfiniteTimeSpan;
                })
                // ClusterClient logs failures itself (ClusterLog); IHttpClientFactory's four Information lines
                // per request would log every health probe and every status poll.
                .RemoveAllLoggers()
                .ConfigurePrimaryHttpMessageHandler(() => CreateTransport(settings))
                .AddHttpMessageHandler(sp => sp.GetService<GatewayMetrics>() is { } metrics
                    ? new ClusterMetricsHandler(cluster.Name, metrics, sp.GetRequiredService<TimeProvider>())
                    : new PassThroughHandler())
                .AddHttpMessageHandler(sp => new ClusterResilienceHandler(sp.GetRequiredService<ClusterResiliencePipelines>()[cluster.Name]))
                // PooledConnectionLifetime recycles connections; rotating whole handlers would only drop streams' connections.
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }

        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var pipelines = sp.GetRequiredService<ClusterResiliencePipelines>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILogger<ClusterClient>>();
            return new ClusterClientRegistry(options.Underclusters.Select(c =>
                new ClusterClient(c, factory.CreateClient(HttpClientName(c.Name)), pipelines[c.Name], settings, time, logger)));
        });

        return services;
    }

    /// <summary>
    /// Transport for many concurrent, partly long-lived calls (status streams, uploads). Redirects
    /// are off: the only one the cluster sends is the trailing-slash 307 (docs/protocol/cluster-rest.md §1), which we never
    /// trigger, and following it would silently resend POST bodies.
    /// </summary>
    internal static SocketsHttpHandler CreateTransport(ClusterClientSettings settings) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        // Underclusters are reached directly; an HTTP_PROXY meant for package downloads must not capture them.
        UseProxy = false,
        MaxConnectionsPerServer = settings.MaxConnectionsPerServer,
        PooledConnectionLifetime = settings.PooledConnectionLifetime,
        PooledConnectionIdleTimeout = settings.PooledConnectionIdleTimeout,
    };

    /// <summary>Stands in for the metrics handler where no <see cref="GatewayMetrics"/> is registered (library use, some tests).</summary>
    private sealed class PassThroughHandler : DelegatingHandler;
}
