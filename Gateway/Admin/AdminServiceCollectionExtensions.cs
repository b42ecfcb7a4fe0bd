using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// Telemetry, the undercluster module (health registry and background probes: <c>AddUnderclusters</c>) and what
    /// the admin endpoints need. Call it before other hosted services so that metrics listen from the start.
    /// Needs the <see cref="GatewayIdentity"/> registered, for the inception check.
    /// </summary>
    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, GatewayOptions options)
    {
        services.TryAddSingleton(new ReadinessPolicy(options.Underclusters.Where(u => !u.Required).Select(u => u.Name).ToHashSet(StringComparer.Ordinal)));
        services.AddGatewayTelemetry(new GatewayMetricsOptions([.. options.Underclusters.Select(u => u.Name)], options.PinPath.WaitLimit));
        services.AddUnderclusters(options);
        return services;
    }
}
