using System.Diagnostics;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// repo/stat latency over 20 underclusters each answering in 50 ms against one such undercluster (goal: at most
/// 1.3×). Prints figures only (no timed assertion). Run:
/// <c>dotnet test Gateway.Tests --filter FullyQualifiedName~RepoStatFanOutBenchmark</c>.
/// </summary>
[Explicit("benchmark: prints figures")]
public sealed class RepoStatFanOutBenchmark
{
    [Test]
    public async Task RepoStat_TwentyUnderclustersAt50ms_VersusOne()
    {
        var latency = new LabFaults { Latency = TimeSpan.FromMilliseconds(50) };
        await using var one = await MultiClusterFixture.StartAsync(1, (_, o) => o with { Faults = latency, ReplicationFactorMin = 1, ReplicationFactorMax = 1 });
        await using var twenty = await MultiClusterFixture.StartAsync(20, (_, o) => o with { Faults = latency, ReplicationFactorMin = 1, ReplicationFactorMax = 1 });
        var placement = new PlacementOptions { Policy = PlacementPolicy.Spread };

        var single = await MeasureAsync(one.StartGateway(placement).Space);
        var many = await MeasureAsync(twenty.StartGateway(placement).Space);

        TestContext.Out.WriteLine($"repo/stat, 1 undercluster at 50 ms:   median {single.Median:0.0} ms, p90 {single.P90:0.0} ms");
        TestContext.Out.WriteLine($"repo/stat, 20 underclusters at 50 ms: median {many.Median:0.0} ms, p90 {many.P90:0.0} ms");
        TestContext.Out.WriteLine($"ratio (median): {many.Median / single.Median:0.00} (goal ≤ 1.3)");
    }

    private static async Task<(double Median, double P90)> MeasureAsync(ISpaceReporter reporter)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await reporter.GetSpaceAsync(CancellationToken.None)).Failure, Is.Null);
        }

        var samples = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await reporter.GetSpaceAsync(CancellationToken.None);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            Assert.That(result.Failure, Is.Null);
        }

        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)(samples.Count * 0.9)]);
    }
}
