namespace CompositeGateway.Configuration;

/// <summary>Traces: the service name spans are reported under and where they are exported (<c>telemetry:</c>).</summary>
internal sealed record TelemetryOptions
{
    /// <summary><c>service.name</c> of the exported spans.</summary>
    public string ServiceName { get; init; } = "composite-gateway";

    public OtlpOptions Otlp { get; init; } = new();

    public IReadOnlyList<OptionProblem> Validate() => ServiceName.Trim().Length == 0
        ? [new OptionProblem("service_name", "must not be blank")]
        : [];
}

/// <summary>OTLP trace export (<c>telemetry.otlp:</c>); off while <see cref="Endpoint"/> is unset.</summary>
internal sealed record OtlpOptions
{
    /// <summary>The collector's base URL (http or https); null: no spans are exported.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The OTLP exporter's own default is gRPC.</summary>
    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.Grpc;
}

internal enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
