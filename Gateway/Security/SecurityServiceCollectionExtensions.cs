using CompositeGateway.Configuration;

namespace CompositeGateway.Security;

/// <summary>Inbound security (docs/security.md): Kubo's authorizations, the admin token, the refusal log.</summary>
internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton<RefusalLog>();
        services.AddSingleton(new KuboAuthorizer(options.KuboRpc.Authorizations));
        services.AddSingleton<KuboAuthorizationMiddleware>();
        if (options.AdminAuth is { } admin)
        {
            services.AddSingleton(admin);
            services.AddSingleton<AdminTokenMiddleware>();
        }

        return services;
    }

    /// <summary>Kubo's authorization on the requests for which <paramref name="required"/> says the listener asks for it.</summary>
    public static IApplicationBuilder UseKuboAuthorization(this IApplicationBuilder app, Func<HttpContext, bool> required)
    {
        var middleware = app.ApplicationServices.GetRequiredService<KuboAuthorizationMiddleware>();
        // Without kubo_rpc.authorizations there is nothing to check: no step at all on every request's path.
        return middleware.Enabled ? app.Use(next => http => middleware.InvokeAsync(http, next, required(http))) : app;
    }

    /// <summary>The <c>admin_auth</c> token check; nothing when it is not configured.</summary>
    public static IApplicationBuilder UseAdminToken(this IApplicationBuilder app) =>
        app.ApplicationServices.GetService<AdminTokenMiddleware>() is { } middleware
            ? app.Use(next => http => middleware.InvokeAsync(http, next))
            : app;
}
