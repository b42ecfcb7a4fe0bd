using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Content;

/// <summary><c>services.AddContentAdd()</c>: Kubo's <c>add</c> over the underclusters (needs <c>AddComposition(...)</c>).</summary>
internal static class AddServiceCollectionExtensions
{
    public static IServiceCollection AddContentAdd(this IServiceCollection services)
    {
        services.TryAddSingleton<ContentAdder>();
        return services;
    }
}
