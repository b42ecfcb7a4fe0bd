using System.Net;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// An unreachable undercluster is left out of the aggregated repo/stat and reported (issue #5): in the log, in
/// <c>gateway_repo_stat_left_out</c> and in its <c>/ready</c> entry, without making a non-required undercluster
/// turn <c>/ready</c> 503; once it counts again, both clear. Everything over HTTP.
/// </summary>
public sealed class RepoStatLeftOutTests
{
    private const ulong GiB = 1UL << 30;

    [Test]
    public async Task RepoStat_OptionalUnderclusterDown_AnswersFromOthersAndReportsItLeftOut()
    {
        // Capacities: a 10 GiB, b 20 GiB, c 30 GiB; spread k=1 reports the largest counted one.
        await using var host = await ProbedGatewayHost.StartAsync(
            3, TimeSpan.FromSeconds(5), new PlacementOptions { Policy = PlacementPolicy.Spread }, optional: new HashSet<string> { "c" });
        var (healthyStatus, healthy) = await host.KuboAsync("repo/stat?size-only=true");

        await host["c"].GoDownAsync();
        await host.WaitUntilAsync("c", UnderclusterState.Down);
        var (downStatus, down) = await host.KuboAsync("repo/stat?size-only=true");
        var downMetrics = await host.MetricsAsync();
        var (downReadyStatus, downReady) = await host.ReadyAsync();

        await host["c"].ComeUpAsync();
        await host.WaitUntilAsync("c", UnderclusterState.Up);
        var (backStatus, back) = await host.KuboAsync("repo/stat?size-only=true");
        var backMetrics = await host.MetricsAsync();
        var (_, backReady) = await host.ReadyAsync();

        Assert.Multiple(() =>
        {
            Assert.That(healthyStatus, Is.EqualTo(HttpStatusCode.OK), healthy.ToString());
            Assert.That(StorageMax(healthy), Is.GreaterThan(20 * GiB), "c counted: the largest");

            Assert.That(downStatus, Is.EqualTo(HttpStatusCode.OK), down.ToString());
            Assert.That(StorageMax(down), Is.GreaterThan(10 * GiB).And.LessThanOrEqualTo(20 * GiB), "answered from a and b: b's");
            Assert.That(downMetrics, Does.Contain("gateway_repo_stat_left_out{undercluster=\"c\"} 1\n"));
            Assert.That(downMetrics, Does.Contain("gateway_repo_stat_left_out{undercluster=\"a\"} 0\n"));
            Assert.That(downReadyStatus, Is.EqualTo(HttpStatusCode.OK), "c is not required: " + downReady);
            Assert.That(Entry(downReady, "c").GetProperty("repo_stat_left_out").GetBoolean(), Is.True);
            Assert.That(Entry(downReady, "c").GetProperty("last_repo_stat_error").GetString(), Does.Contain("\"c\""));
            Assert.That(Entry(downReady, "a").GetProperty("repo_stat_left_out").GetBoolean(), Is.False);
            Assert.That(Entry(downReady, "a").GetProperty("last_repo_stat_error").ValueKind, Is.EqualTo(JsonValueKind.Null));

            Assert.That(backStatus, Is.EqualTo(HttpStatusCode.OK), back.ToString());
            Assert.That(StorageMax(back), Is.EqualTo(StorageMax(healthy)));
            Assert.That(backMetrics, Does.Contain("gateway_repo_stat_left_out{undercluster=\"c\"} 0\n"));
            Assert.That(Entry(backReady, "c").GetProperty("repo_stat_left_out").GetBoolean(), Is.False);
            Assert.That(Entry(backReady, "c").GetProperty("last_repo_stat_error").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Metrics_RepoStatLeftOut_PassesPromtoolLint()
    {
        await using var host = await ProbedGatewayHost.StartAsync(2, TimeSpan.FromSeconds(5), new PlacementOptions { Policy = PlacementPolicy.Spread });
        await host["b"].GoDownAsync();
        await host.WaitUntilAsync("b", UnderclusterState.Down);
        await host.KuboAsync("repo/stat?size-only=true");

        var text = await host.MetricsAsync();
        var promtool = await Promtool.CheckMetricsAsync(text);

        Assert.That(text, Does.Contain("# TYPE gateway_repo_stat_left_out gauge\n"));
        Assert.That(promtool.ExitCode, Is.Zero, promtool + "\n" + text);
        Assert.That(promtool.Stdout + promtool.Stderr, Is.Empty, promtool + "\n" + text);
    }

    private static ulong StorageMax(JsonElement body) => body.GetProperty("StorageMax").GetUInt64();

    private static JsonElement Entry(JsonElement ready, string name) =>
        ready.GetProperty("underclusters").EnumerateArray().Single(u => u.GetProperty("name").GetString() == name);
}
