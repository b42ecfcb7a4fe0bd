using CompositeGateway.Composition;

namespace CompositeGateway.Content;

/// <summary><c>services.AddContent()</c>: where uploaded content goes (needs <c>AddComposition(...)</c>).</summary>
internal static class ContentServiceCollectionExtensions
{
    public static IServiceCollection AddContent(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ContentTargets(sp.GetRequiredService<Placement>()));
        return services;
    }
}
