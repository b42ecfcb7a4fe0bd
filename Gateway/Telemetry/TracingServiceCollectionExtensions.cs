using CompositeGateway.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CompositeGateway.Telemetry;

internal static class TracingServiceCollectionExtensions
{
    /// <summary>
    /// With <c>telemetry.otlp.endpoint</c> set, records a span per incoming request (ASP.NET Core) and per outgoing
    /// call (HttpClient: undercluster REST calls, forwarded commands) and exports them over OTLP. Unset, nothing is
    /// registered: the W3C trace context still flows to underclusters, only no span is recorded.
    /// </summary>
    public static IServiceCollection AddGatewayTracing(this IServiceCollection services, TelemetryOptions telemetry)
    {
        if (telemetry.Otlp.Endpoint is not { } endpoint)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(otlp =>
                {
                    otlp.Protocol = telemetry.Otlp.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    otlp.Endpoint = SignalEndpoint(endpoint, telemetry.Otlp.Protocol);
                }));
        return services;
    }

    /// <summary>
    /// The key is the collector's base URL, as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is; over HTTP the exporter takes the
    /// traces URL itself when given one in code, so <c>v1/traces</c> is added here (unless already written).
    /// </summary>
    internal static Uri SignalEndpoint(Uri endpoint, OtlpProtocol protocol)
    {
        if (protocol == OtlpProtocol.Grpc || endpoint.AbsolutePath.TrimEnd('/').EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            return endpoint;
        }

        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + "/v1/traces";
        return builder.Uri;
    }
}
