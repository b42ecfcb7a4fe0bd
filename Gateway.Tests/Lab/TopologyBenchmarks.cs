using System.Diagnostics;
using CompositeGateway.Lab.Topology;

namespace CompositeGateway.Tests.Lab;

/// <summary>
/// Multi-level latency (docs/development/lab-topologies.md): time from <c>POST /pins/{cid}</c> at the top until the top
/// reports it pinned, through 1, 2 and 3 gateway levels, with the bottom pinning at once and in 2 s; and pins/s
/// through 2 levels at 10 concurrent requests. Prints figures; asserts nothing about speed.
/// </summary>
[Category("Benchmarks")]
[Explicit("prints figures; run on purpose")]
[NonParallelizable]
public sealed class TopologyBenchmarks
{
    [Test]
    public async Task PinLatency_ByDepthAndBottomDelay()
    {
        foreach (var delay in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2) })
        {
            for (var levels = 1; levels <= 3; levels++)
            {
                await using var lab = await TopologyTests.StartAsync(LabTopology.Chain(levels), TopologyTests.FastSettings with { PinDelay = delay, RecoverInterval = TimeSpan.FromMinutes(12) });
                var top = lab.Cluster("level-0");
                using var http = new HttpClient { BaseAddress = top.BaseAddress };
                var samples = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    var cid = TopologyTests.NextCid();
                    var clock = Stopwatch.StartNew();
                    (await http.PostAsync($"pins/{cid}", null)).Dispose();
                    while (top.PeerStatus(cid, 0) != "pinned")
                    {
                        await Task.Delay(5);
                    }

                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }

                samples.Sort();
                TestContext.Out.WriteLine($"levels={levels} bottom-delay={delay.TotalSeconds}s: median {samples[2]:F0} ms, min {samples[0]:F0} ms, max {samples[^1]:F0} ms (bottom alone: {delay.TotalMilliseconds:F0} ms)");
            }
        }
    }

    [Test]
    public async Task PinThroughput_TwoLevels_Concurrency10()
    {
        const int pins = 100;
        await using var lab = await TopologyTests.StartAsync(LabTopology.Chain(2), TopologyTests.FastSettings with { PinDelay = TimeSpan.Zero, RecoverInterval = TimeSpan.FromMinutes(12) });
        var top = lab.Cluster("level-0");
        using var http = new HttpClient { BaseAddress = top.BaseAddress };
        var cids = Enumerable.Range(0, pins).Select(_ => TopologyTests.NextCid()).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(cids, new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (cid, token) =>
        {
            (await http.PostAsync($"pins/{cid}", null, token)).Dispose();
            while (top.PeerStatus(cid, 0) != "pinned")
            {
                await Task.Delay(5, token);
            }
        });
        TestContext.Out.WriteLine($"2 levels, c=10: {pins} pins in {clock.Elapsed.TotalSeconds:F2} s = {pins / clock.Elapsed.TotalSeconds:F1} pins/s");
    }
}
