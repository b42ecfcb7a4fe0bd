using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary><c>telemetry:</c> read from YAML and the environment, each problem at its key path and line.</summary>
public sealed class TelemetryConfigurationTests
{
    private const string Minimal = """
        underclusters:
          - name: local
            url: http://127.0.0.1:9094
        """;

    [Test]
    public void LoadText_TelemetryUnset_ExportOff()
    {
        var result = GatewayConfigurationLoader.LoadText(Minimal, Path.GetTempPath(), new Dictionary<string, string>());
        Assert.That(result.Options!.Telemetry, Is.EqualTo(new TelemetryOptions()));
        Assert.That(result.Options!.Telemetry.Otlp.Endpoint, Is.Null);
    }

    [Test]
    public void LoadText_TelemetryWritten_Bound()
    {
        var result = GatewayConfigurationLoader.LoadText(Minimal + """

            telemetry:
              service_name: gw-eu
              otlp:
                endpoint: https://collector.example:4318
                protocol: http/protobuf
            """, Path.GetTempPath(), new Dictionary<string, string>());
        Assert.That(result.Problems, Is.Empty);
        Assert.That(result.Options!.Telemetry, Is.EqualTo(new TelemetryOptions
        {
            ServiceName = "gw-eu",
            Otlp = new OtlpOptions { Endpoint = new Uri("https://collector.example:4318"), Protocol = OtlpProtocol.HttpProtobuf },
        }));
    }

    [Test]
    public void LoadText_BadTelemetryValues_ReportedAtKeyAndLine()
    {
        var result = GatewayConfigurationLoader.LoadText(Minimal + """

            telemetry:
              service_name: " "
              otlp:
                endpoint: collector:4317
                protocol: thrift
            """, Path.GetTempPath(), new Dictionary<string, string>());
        Assert.That(result.Problems.Select(p => p.ToString()), Is.EqualTo(new[]
        {
            "telemetry.service_name (line 5): must not be blank",
            "telemetry.otlp.endpoint (line 7): \"collector:4317\" must be an absolute http or https URL without credentials, query or fragment, e.g. http://127.0.0.1:4317",
            "telemetry.otlp.protocol (line 8): \"thrift\" must be one of: grpc, http/protobuf",
        }));
    }

    [Test]
    public void Load_EndpointFromEnvironment_SwitchesExportOn()
    {
        var result = GatewayConfigurationLoader.LoadText(Minimal, Path.GetTempPath(), new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_TELEMETRY_OTLP_ENDPOINT"] = "http://10.0.0.9:4317",
        });
        Assert.That(result.Problems, Is.Empty);
        Assert.That(result.Options!.Telemetry.Otlp.Endpoint, Is.EqualTo(new Uri("http://10.0.0.9:4317")));
    }
}
