using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.KuboRpc;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Forwarding;

/// <summary>Registers forwarding to undercluster IPFS daemons (docs/forwarding.md).</summary>
internal static class ForwardingServiceCollectionExtensions
{
    /// <summary>
    /// Adds YARP's <c>IHttpForwarder</c> and the gateway's forwarder. Health comes from <see cref="IUnderclusterHealthView"/>
    /// (<c>AddGatewayAdmin</c>) and the spread ranking from <see cref="Placement"/> (<c>AddComposition</c>) when registered.
    /// </summary>
    public static IServiceCollection AddForwarding(this IServiceCollection services, GatewayOptions options)
    {
        services.AddHttpForwarder();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options.KuboRpc.Forward);
        services.AddSingleton(sp => new DaemonChooser(options, sp.GetService<IUnderclusterHealthView>(), sp.GetService<Placement>()));
        services.AddSingleton<KuboForwarder>();
        services.AddSingleton<IUnansweredCommands>(sp => sp.GetRequiredService<KuboForwarder>());
        services.AddSingleton<ExtractedHeaders>();
        services.AddSingleton<IAnswerHeaders>(sp => sp.GetRequiredService<ExtractedHeaders>());
        return services;
    }
}
