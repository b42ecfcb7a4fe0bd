using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Refit;

namespace CompositeGateway.Underclusters;

/// <summary>
/// <c>services.AddClusterClients(options)</c>: per undercluster, one Refit client of <see cref="IClusterRestApi"/> (keyed by the
/// undercluster's name) on one named <c>HttpClient</c> with its resilience handler, and one <see cref="ClusterClient"/> facade.
/// </summary>
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

        // One ClusterResilience per undercluster for the process lifetime: the breaker's state and the in-flight token
        // outlive any handler, and the pipelines the resilience handler builds (once per key) close over them.
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterClient>();
            return new ClusterResiliencePipelines(options.Underclusters.ToDictionary(
                c => c.Name,
                c => new ClusterResilience(c, settings, logger),
                StringComparer.Ordinal));
        });

        foreach (var cluster in options.Underclusters)
        {
            var name = cluster.Name;
            services.AddKeyedRefitGeneratedClient<IClusterRestApi>(name, ClusterJsonContext.Default, _ => new RefitSettings(), HttpClientName(name), allowReflectionFallback: false)
                .ConfigureHttpClient(http =>
                {
                    http.BaseAddress = ClusterClient.BaseAddress(cluster.Url);
                    // The resilience pipeline holds each call's budget; HttpClient's own timeout would also cut streams' bodies.
                    http.Timeout = Timeout.InfiniteTimeSpan;
                    // ipfs-cluster's REST server speaks HTTP/1.1 (trailers ride on chunked encoding, docs/protocol/cluster-rest.md §1.3).
                    http.DefaultRequestVersion = HttpVersion.Version11;
                    http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
                    if (cluster.Auth is { Mode: ClusterAuthMode.Basic } auth)
                    {
                        // docs/protocol/cluster-rest.md §1.1: Basic with both parts non-empty. With mode jwt, ClusterTokenHandler sets a Bearer token per call.
                        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth.Username + ":" + auth.Password)));
                    }
                })
                // ClusterClient logs failures itself (ClusterLog); IHttpClientFactory's four Information lines
                // per request would log every health probe and every status poll.
                .RemoveAllLoggers()
                .ConfigurePrimaryHttpMessageHandler(() => CreateTransport(settings, cluster.Tls))
                // PooledConnectionLifetime recycles connections; rotating whole handlers would only drop streams' connections.
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
                .AddResilienceHandler(ClusterResilience.PipelineName, (builder, context) =>
                    context.ServiceProvider.GetRequiredService<ClusterResiliencePipelines>()[name].Configure(
                        builder, context.InstanceName, context.ServiceProvider.GetRequiredService<TimeProvider>()))
                .SelectPipelineBy(_ => ClusterResilience.SelectPipeline);
            if (cluster.Auth is { Mode: ClusterAuthMode.Jwt })
            {
                // Inside the resilience handler: each attempt of a retried call carries the current token.
                services.AddHttpClient(HttpClientName(name)).AddHttpMessageHandler(sp => new ClusterTokenHandler(
                    cluster, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterClient>()));
            }
        }

        services.AddSingleton(sp =>
        {
            var pipelines = sp.GetRequiredService<ClusterResiliencePipelines>();
            var metrics = sp.GetService<GatewayMetrics>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILogger<ClusterClient>>();
            return new ClusterClientRegistry(options.Underclusters.Select(c =>
                new ClusterClient(c, sp.GetRequiredKeyedService<IClusterRestApi>(c.Name), pipelines[c.Name], settings, metrics, time, logger)));
        });

        return services;
    }

    /// <summary>
    /// Transport for many concurrent, partly long-lived calls (status streams, uploads). Redirects
    /// are off: the only one the cluster sends is the trailing-slash 307 (docs/protocol/cluster-rest.md §1), which we never
    /// trigger, and following it would silently resend POST bodies.
    /// </summary>
    internal static SocketsHttpHandler CreateTransport(ClusterClientSettings settings, UnderclusterTlsOptions? tls = null)
    {
        var handler = CreatePlainTransport(settings);
        ClusterTls.Apply(handler, tls);
        return handler;
    }

    private static SocketsHttpHandler CreatePlainTransport(ClusterClientSettings settings) => new()
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
}
