using System.Text;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Telemetry;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Telemetry;

/// <summary><c>telemetry.otlp</c>: spans of a Kubo request and its undercluster calls reach a real OTLP/HTTP receiver.</summary>
public sealed class OtlpExportTests
{
    private const string Cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    [Test]
    public async Task PinAdd_EndpointSet_ExportsSpansOfTheRequestsTrace()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var traceId = await PinWithTraceAsync(new TelemetryOptions
        {
            ServiceName = "cg-otlp-test",
            Otlp = new OtlpOptions { Endpoint = receiver.BaseAddress, Protocol = OtlpProtocol.HttpProtobuf },
        });

        Assert.Multiple(() =>
        {
            Assert.That(receiver.Exports, Is.Not.Empty, "the gateway's shutdown flushes the batch");
            Assert.That(receiver.Exports.Select(e => e.ContentType), Is.All.EqualTo("application/x-protobuf"));
            Assert.That(receiver.Occurrences(Encoding.UTF8.GetBytes("cg-otlp-test")), Is.GreaterThan(0), "service.name from telemetry.service_name");
            // Every span carries its 16 trace-id bytes: the request's server span plus at least one undercluster call.
            Assert.That(receiver.Occurrences(Convert.FromHexString(traceId)), Is.GreaterThanOrEqualTo(2), "spans of the incoming trace");
        });
    }

    [Test]
    public async Task PinAdd_EndpointUnset_ExportsNothing()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await PinWithTraceAsync(new TelemetryOptions());
        Assert.That(receiver.Exports, Is.Empty);
    }

    [TestCase("http://collector:4318", true, "http://collector:4318/v1/traces")]
    [TestCase("http://collector:4318/otlp/", true, "http://collector:4318/otlp/v1/traces")]
    [TestCase("http://collector:4318/v1/traces", true, "http://collector:4318/v1/traces")]
    [TestCase("http://collector:4317", false, "http://collector:4317/")]
    public void SignalEndpoint_AddsTheTracesPathOverHttpOnly(string endpoint, bool http, string expected) =>
        Assert.That(TracingServiceCollectionExtensions.SignalEndpoint(new Uri(endpoint), http ? OtlpProtocol.HttpProtobuf : OtlpProtocol.Grpc).AbsoluteUri,
            Is.EqualTo(expected));

    private static async Task<string> PinWithTraceAsync(TelemetryOptions telemetry)
    {
        var gateway = await LabGateway.StartAsync(new EmulatedClusterOptions { Peers = 1 }, TimeSpan.FromHours(1), telemetry);
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        try
        {
            // Raw bytes, not an HttpClient: this process's HttpClients are instrumented by the gateway's tracer
            // (one process), and would start a trace of their own; the overcluster peer is another process.
            var pin = await RawHttp.SendAsync(gateway.Kubo.BaseAddress!,
                $"POST /api/v0/pin/add?arg={Cid}&recursive=true HTTP/1.1\r\nHost: gateway\r\ntraceparent: 00-{traceId}-00f067aa0ba902b7-01\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            Assert.That(pin.Status, Is.EqualTo(200), pin.Body);
        }
        finally
        {
            // Disposing the host disposes the tracer provider, which exports what is still batched.
            await gateway.DisposeAsync();
        }

        return traceId;
    }
}
