using System.Diagnostics;
using System.Net;
using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Composition;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// The background <c>GET /id</c> probe drives each undercluster's circuit breaker (issue #5): while it sees the
/// undercluster down, calls fail at once with a circuit-open failure instead of each waiting for the timeout;
/// once a probe succeeds again, calls flow. Real monitor, real emulated underclusters, Kubo RPC over HTTP.
/// </summary>
public sealed class ProbeDrivenCircuitTests
{
    [Test]
    public async Task PinLsArg_ProbeSeesUnderclusterHang_FailsWithCircuitOpenThenRecovers()
    {
        await using var host = await ProbedGatewayHost.StartAsync(1, TimeSpan.FromSeconds(2), new PlacementOptions());
        var cid = CompositionHarness.NewCid();
        var (pinned, pinBody) = await host.KuboAsync($"pin/add?arg={cid}");
        Assert.That(pinned, Is.EqualTo(HttpStatusCode.OK), pinBody.ToString());

        // Hanging rather than refusing: without the probe, each call would wait out the 2 s timeout.
        host["a"].Faults.Merge(new LabFaults { Latency = TimeSpan.FromMinutes(5) });
        await host.WaitUntilAsync("a", UnderclusterState.Down);
        var client = host.Services.GetRequiredService<ClusterClientRegistry>()["a"];
        var clock = Stopwatch.StartNew();
        var (heldStatus, heldBody) = await host.KuboAsync($"pin/ls?arg={cid}&type=recursive");
        TestContext.Out.WriteLine($"pin/ls?arg while held open answered in {clock.Elapsed.TotalMilliseconds:0} ms (timeout 2000 ms)");
        var direct = await client.GetAllocationAsync(Cid.Parse(cid), CancellationToken.None);

        host["a"].Faults.Clear();
        await host.WaitUntilAsync("a", UnderclusterState.Up);
        var (afterStatus, afterBody) = await host.KuboAsync($"pin/ls?arg={cid}&type=recursive");

        Assert.Multiple(() =>
        {
            Assert.That(heldStatus, Is.Not.EqualTo(HttpStatusCode.OK));
            Assert.That(heldBody.GetProperty("Message").GetString(), Does.Contain("circuit open").And.Contain("health probe"));
            Assert.That(direct.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen), "not Timeout: the call was never sent");
            Assert.That(afterStatus, Is.EqualTo(HttpStatusCode.OK), afterBody.ToString());
            Assert.That(afterBody.GetProperty("Keys").TryGetProperty(cid, out _), Is.True, afterBody.ToString());
            Assert.That(client.IsIsolated, Is.False);
        });
    }

    [Test]
    public async Task PinLsArg_InFlightWhenProbeDeclaresDown_AnswersAtOnceWithProbeReason()
    {
        // Issue #11 item 3: a call already waiting on a hung undercluster used to wait out its own timeout (and its
        // retries) even after the probe had declared the undercluster down.
        var timeout = TimeSpan.FromSeconds(6);
        await using var host = await ProbedGatewayHost.StartAsync(1, timeout, new PlacementOptions());
        var cid = CompositionHarness.NewCid();
        var (pinned, pinBody) = await host.KuboAsync($"pin/add?arg={cid}");
        Assert.That(pinned, Is.EqualTo(HttpStatusCode.OK), pinBody.ToString());

        host["a"].Faults.Merge(new LabFaults { Latency = TimeSpan.FromMinutes(5) });
        var hangStarted = Stopwatch.StartNew();
        // Start the call while the probe that will fail has been waiting for a while: it gives up well before the call would.
        await Task.Delay(timeout * 0.6);
        Assert.That(host.Services.GetRequiredService<ClusterClientRegistry>()["a"].IsIsolated, Is.False, "the call must start before the verdict");
        var clock = Stopwatch.StartNew();
        var (status, body) = await host.KuboAsync($"pin/ls?arg={cid}&type=recursive");
        var elapsed = clock.Elapsed;
        TestContext.Out.WriteLine($"pin/ls?arg in flight answered after {elapsed.TotalSeconds:0.00}s ({hangStarted.Elapsed.TotalSeconds:0.00}s after the hang began; timeout {timeout.TotalSeconds}s)");
        host["a"].Faults.Clear();

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.Not.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("Message").GetString(), Does.Contain("health probe").And.Contain("timeout"), body.ToString());
            Assert.That(elapsed, Is.LessThan(timeout), "cut when the probe declared the undercluster down, not at the call's own timeout");
        });
    }

    [Test]
    public async Task Pin_ProbeSeesUnderclusterRefusing_CircuitOpenUntilProbeSucceeds()
    {
        await using var host = await ProbedGatewayHost.StartAsync(1, TimeSpan.FromSeconds(5), new PlacementOptions());
        var client = host.Services.GetRequiredService<ClusterClientRegistry>()["a"];

        await host["a"].GoDownAsync();
        await host.WaitUntilAsync("a", UnderclusterState.Down);
        var held = await client.GetIdAsync(CancellationToken.None);
        await host["a"].ComeUpAsync();
        await host.WaitUntilAsync("a", UnderclusterState.Up);
        var cid = CompositionHarness.NewCid();
        var (status, body) = await host.KuboAsync($"pin/add?arg={cid}");

        Assert.Multiple(() =>
        {
            Assert.That(held.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen), "not Connect: the probe holds the circuit open");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        });
    }
}
