using CompositeGateway.Admin;
using CompositeGateway.Clusters;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Composition;

/// <summary><c>services.AddComposition(options)</c>: the pin path and the Kubo surface's other composition seams.</summary>
internal static class CompositionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPinService"/>, <see cref="ISwarmAddressSource"/>, <see cref="ISpaceReporter"/> and
    /// <see cref="IGarbageCollector"/> over the one configured undercluster. Needs
    /// <c>AddClusterClients(...)</c> and a <see cref="GatewayOwner"/> (the gateway's peer ID) registered, or
    /// pass <paramref name="owner"/>.
    /// </summary>
    public static IServiceCollection AddComposition(this IServiceCollection services, PinPathOptions options, Func<IServiceProvider, GatewayOwner>? owner = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSingleton(options);
        if (owner is not null)
        {
            services.AddSingleton(owner);
        }

        services.AddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<ClusterClientRegistry>().All;
            if (clients.Count != 1)
            {
                // Placement over several underclusters is a later issue; until then the pin path must not
                // silently ignore configured underclusters.
                throw new InvalidOperationException(
                    $"the pin path composes exactly one undercluster for now; {clients.Count} are configured ({string.Join(", ", clients.Select(c => c.Name))})");
            }

            return new Undercluster(clients[0], options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Undercluster>>());
        });
        services.AddSingleton<PinService>();
        services.AddSingleton<SpaceReporter>();
        services.AddSingleton<IPinService>(sp => Guard(sp) is { } guard
            ? new InceptionGuardedPinService(sp.GetRequiredService<PinService>(), guard)
            : sp.GetRequiredService<PinService>());
        services.AddSingleton<ISpaceReporter>(sp => Guard(sp) is { } guard
            ? new InceptionGuardedSpaceReporter(sp.GetRequiredService<SpaceReporter>(), guard)
            : sp.GetRequiredService<SpaceReporter>());
        services.AddSingleton<ISwarmAddressSource, SwarmAddressSource>();
        services.AddSingleton<IGarbageCollector, GarbageCollector>();
        return services;
    }

    // Without the health monitor (library use, some tests) nothing can detect inception, so nothing is guarded.
    private static InceptionGuard? Guard(IServiceProvider services) => services.GetService<UnderclusterHealth>() is { } health
        ? new InceptionGuard(health, services.GetRequiredService<ClusterClientRegistry>().All.Select(c => c.Name).ToList())
        : null;
}
