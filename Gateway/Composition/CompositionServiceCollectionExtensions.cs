using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Composition;

/// <summary><c>services.AddComposition(options)</c>: the pin path and the Kubo surface's other composition seams.</summary>
internal static class CompositionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPinService"/>, <see cref="ISwarmAddressSource"/>, <see cref="ISpaceReporter"/> and
    /// <see cref="IGarbageCollector"/> over every configured undercluster, placed by <paramref name="placement"/>
    /// (docs/design/placement.md). Needs <c>AddClusterClients(...)</c> and a <see cref="GatewayOwner"/> (the
    /// gateway's peer ID) registered, or pass <paramref name="owner"/>. Placement reads undercluster health from
    /// <see cref="IUnderclusterHealthView"/> when it is registered (<c>AddUnderclusters</c>); without it every
    /// undercluster counts as healthy.
    /// </summary>
    public static IServiceCollection AddComposition(
        this IServiceCollection services, PinPathOptions options, Func<IServiceProvider, GatewayOwner>? owner = null, PlacementOptions? placement = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSingleton(options);
        services.AddSingleton(placement ?? new PlacementOptions());
        if (owner is not null)
        {
            services.AddSingleton(owner);
        }

        services.AddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<ClusterClientRegistry>().All;
            if (clients.Count == 0)
            {
                throw new InvalidOperationException("the pin path needs at least one undercluster");
            }

            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var gatewayOwner = sp.GetRequiredService<GatewayOwner>();
            var members = clients.Select(client =>
            {
                var own = ForUndercluster(options, client);
                var undercluster = new Undercluster(client, own, time, loggers.CreateLogger<Undercluster>());
                return new PlacementMember(
                    undercluster,
                    new UnderclusterPinService(undercluster, own, gatewayOwner, time, loggers.CreateLogger<UnderclusterPinService>(), sp.GetService<GatewayMetrics>()),
                    new SpaceReporter(undercluster, own),
                    client.Options.Weight,
                    client.Options.Timeout);
            }).ToList();
            return new Placement(members, sp.GetRequiredService<PlacementOptions>(), HealthView(sp) ?? AssumeHealthyView.Instance);
        });

        // The first (with one undercluster: the only) undercluster, for tools and tests that speak to it directly.
        services.AddSingleton(sp => sp.GetRequiredService<Placement>().Members[0].Undercluster);
        services.AddSingleton<PinService>();
        services.AddSingleton<AggregatedSpaceReporter>();
        services.AddSingleton<IPinService>(sp => Guard(sp) is { } guard
            ? new InceptionGuardedPinService(sp.GetRequiredService<PinService>(), guard)
            : sp.GetRequiredService<PinService>());
        // Concurrent repo/stat calls share one answer (docs/design/repo-stat.md, "Concurrent calls").
        services.AddSingleton<ISpaceReporter>(sp => new SharedSpaceReporter(Guard(sp) is { } guard
            ? new InceptionGuardedSpaceReporter(sp.GetRequiredService<AggregatedSpaceReporter>(), guard)
            : sp.GetRequiredService<AggregatedSpaceReporter>()));
        services.AddSingleton<ISwarmAddressSource, SwarmAddressSource>();
        services.AddSingleton<IGarbageCollector, GarbageCollector>();
        return services;
    }

    /// <summary>The pin path options with this undercluster's own replication factors, when it has them.</summary>
    private static PinPathOptions ForUndercluster(PinPathOptions options, ClusterClient client) =>
        client.Options.ReplicationFactorMin != 0 || client.Options.ReplicationFactorMax != 0
            ? options with { ReplicationMin = client.Options.ReplicationFactorMin, ReplicationMax = client.Options.ReplicationFactorMax }
            : options;

    // Without the health monitor (library use, some tests) nothing can detect inception, so nothing is guarded.
    private static InceptionGuard? Guard(IServiceProvider services) => HealthView(services) is { } health
        ? Guard(health, services.GetRequiredService<ClusterClientRegistry>().All)
        : null;

    // A first probe is GET /id then GET /peers, each bounded by the undercluster's timeout; nothing waits longer for it.
    private static InceptionGuard Guard(IUnderclusterHealthView health, IReadOnlyCollection<ClusterClient> clients) =>
        new(health, [.. clients.Select(c => c.Name)], clients.Count == 0 ? TimeSpan.Zero : 2 * clients.Max(c => c.Options.Timeout));

    /// <summary>The probe-fed health view (<c>AddUnderclusters</c>, or a registry a test registered itself); null without one.</summary>
    private static IUnderclusterHealthView? HealthView(IServiceProvider services) =>
        services.GetService<IUnderclusterHealthView>() ?? services.GetService<UnderclusterHealth>();
}
