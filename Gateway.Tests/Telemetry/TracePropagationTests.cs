using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>W3C trace context: the trace a Kubo request carries reaches the undercluster REST calls it causes.</summary>
public sealed class TracePropagationTests
{
    private const string Cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    [Test]
    public async Task PinAdd_WithTraceParent_UnderclusterCallsCarryTheSameTraceId()
    {
        await using var gateway = await LabGateway.StartAsync(new EmulatedClusterOptions { Peers = 2 }, TimeSpan.FromHours(1));
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v0/pin/add?arg={Cid}&recursive=true");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        using (var pin = await gateway.Kubo.SendAsync(request))
        {
            Assert.That(pin.IsSuccessStatusCode, Is.True, await pin.Content.ReadAsStringAsync());
        }

        var received = gateway.Cluster.ReceivedTraceParents;
        Assert.That(received.Where(t => t.Split('-') is [_, var id, var parent, _] && id == traceId && parent != "00f067aa0ba902b7").ToList(), Is.Not.Empty,
            "the pin write (and allocation read) happen inside the request, so they carry its trace id with a span of their own; received: " + string.Join(", ", received));
    }
}
