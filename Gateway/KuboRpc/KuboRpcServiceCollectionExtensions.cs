using CompositeGateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.KuboRpc;

/// <summary>Registers the Kubo RPC surface.</summary>
internal static class KuboRpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds the surface's options and clock. The surface also needs, from elsewhere: <see cref="Composition.IPinService"/>
    /// and <see cref="INodeIdentity"/> (required); <see cref="Composition.ISpaceReporter"/> (else repo/stat and
    /// config/show answer an error), <see cref="Composition.ISwarmAddressSource"/> (else id lists no addresses),
    /// <see cref="Composition.IGarbageCollector"/> (else repo/gc answers an error).
    /// </summary>
    public static IServiceCollection AddKuboRpc(this IServiceCollection services, KuboRpcOptions? options = null)
    {
        options ??= new KuboRpcOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"kubo_rpc.{p}")), nameof(options));
        }

        services.AddSingleton(options);
        services.AddSingleton(new BrowserPolicy(options));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
