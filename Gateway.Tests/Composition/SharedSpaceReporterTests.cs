using System.Net;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Admin;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// Concurrent <c>repo/stat</c> calls share one undercluster aggregation (docs/design/repo-stat.md, "Concurrent
/// calls"), over HTTP against an emulated undercluster whose <c>freespace</c> answer is slowed so that the calls
/// overlap: the emulator counts the <c>GET /monitor/metrics/freespace</c> it received.
/// </summary>
public sealed class SharedSpaceReporterTests
{
    private const string RepoStat = "repo/stat?size-only=true";
    private const string FreespacePath = "/monitor/metrics/freespace";

    [Test]
    public async Task RepoStat_ConcurrentCalls_OneFreespaceRequestSharedByAll()
    {
        await using var host = await StartAsync();
        var (_, alone) = await host.KuboAsync(RepoStat);
        SlowFreespace(host, TimeSpan.FromSeconds(1));
        var before = Freespace(host);

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => host.KuboAsync(RepoStat)));
        var asked = Freespace(host) - before;

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(answers.Select(a => StorageMax(a.Body)), Is.All.EqualTo(StorageMax(alone)));
            // 16 calls sent at once and a 1 s answer: without sharing, 16 requests.
            Assert.That(asked, Is.InRange(1, 3), "freespace requests for 16 overlapping repo/stat calls");
        });
    }

    [Test]
    public async Task RepoStat_OneAfterTheOther_EachAsksAgain()
    {
        await using var host = await StartAsync();
        await host.KuboAsync(RepoStat);
        var before = Freespace(host);

        for (var i = 0; i < 3; i++)
        {
            var (status, _) = await host.KuboAsync(RepoStat);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(Freespace(host) - before, Is.EqualTo(3), "nothing is kept once a shared call has ended");
    }

    [Test]
    public async Task RepoStat_SharedCallFails_EveryCallerGetsKuboError()
    {
        await using var host = await StartAsync();
        SlowFreespace(host, TimeSpan.FromSeconds(1), errorRate: 1);
        var before = Freespace(host);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.KuboAsync(RepoStat)));
        var asked = Freespace(host) - before;

        Assert.Multiple(() =>
        {
            foreach (var (status, body) in answers)
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError), body.ToString());
                Assert.That(body.GetProperty("Type").GetString(), Is.EqualTo("error"));
                Assert.That(body.GetProperty("Code").GetInt32(), Is.Zero);
                Assert.That(body.GetProperty("Message").GetString(), Does.Contain(LabRequestFaults.InjectedFailure));
            }

            Assert.That(asked, Is.InRange(1, 3), "freespace requests for 8 overlapping repo/stat calls");
        });
    }

    [Test]
    public async Task RepoStat_FirstCallerGoesAway_OthersStillAnswered()
    {
        await using var host = await StartAsync();
        var (_, alone) = await host.KuboAsync(RepoStat);
        SlowFreespace(host, TimeSpan.FromSeconds(2));
        var before = Freespace(host);

        // The first caller starts the shared call, then hangs up while it is still waiting for the undercluster.
        using var gone = new CancellationTokenSource();
        using var first = new HttpClient { BaseAddress = host.Client.BaseAddress };
        var abandoned = first.PostAsync("/api/v0/" + RepoStat, content: null, gone.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var others = Enumerable.Range(0, 4).Select(_ => host.KuboAsync(RepoStat)).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await gone.CancelAsync();

        Assert.That(async () => await abandoned, Throws.InstanceOf<OperationCanceledException>());
        var answers = await Task.WhenAll(others);
        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(answers.Select(a => StorageMax(a.Body)), Is.All.EqualTo(StorageMax(alone)));
            Assert.That(Freespace(host) - before, Is.EqualTo(1), "the others waited for the call the first one started");
        });
    }

    /// <summary>One emulated undercluster "a" behind the gateway, probed every 20 s (no probe lands inside a test).</summary>
    private static Task<ProbedGatewayHost> StartAsync() => ProbedGatewayHost.StartAsync(1, TimeSpan.FromSeconds(20), new PlacementOptions());

    /// <summary>Slows (and optionally fails) the undercluster's freespace answer so that calls overlap.</summary>
    private static void SlowFreespace(ProbedGatewayHost host, TimeSpan latency, double? errorRate = null) =>
        host["a"].Faults.Merge(new LabFaults { Paths = [FreespacePath], Latency = latency, ErrorRate = errorRate });

    private static int Freespace(ProbedGatewayHost host) =>
        host["a"].ReceivedRequests.Count(r => r.Method == "GET" && r.Target.StartsWith(FreespacePath, StringComparison.Ordinal));

    private static ulong StorageMax(JsonElement body) => body.GetProperty("StorageMax").GetUInt64();
}
