using System.Collections.Concurrent;
using System.Diagnostics;

namespace CompositeGateway.Tests.Functional.Benchmarks;

/// <summary>
/// Soak: five minutes of mixed Go-peer load (pins, unpins, <c>pin/ls?arg</c>, full listings, <c>id</c>) at
/// concurrency 10 through the real gateway. Prints RSS growth and latency percentiles of the first minute against
/// the last; a leak or a slowly growing structure shows as a trend. Printed, never asserted:
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~SoakBenchmark"</c>.
/// </summary>
[Explicit("benchmark: five minutes of mixed load, prints figures")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class SoakBenchmark
{
    private const int PinsPerWorker = 50;

    [Test]
    public async Task Soak_FiveMinutesMixedLoad_RssAndP99FirstVersusLastMinute()
    {
        var duration = TimeSpan.FromMinutes(5);
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Cluster = new CompositeGateway.Lab.EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(50) },
        });
        var go = environment.Gateway.Go;
        var samples = new ConcurrentBag<(double At, double Ms)>();
        var rss = new List<(double At, long Bytes)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);

        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var process = Process.GetCurrentProcess();
                lock (rss)
                {
                    rss.Add((clock.Elapsed.TotalSeconds, process.WorkingSet64));
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var workers = Enumerable.Range(0, 10).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var mine = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                var roll = random.Next(100);
                // Each worker's pinset stays near PinsPerWorker, so the last minute does the same work as the first:
                // with pins outnumbering unpins the pinset grew all run, and so did every full listing's cost.
                if (mine.Count < 5 || (roll < 30 && mine.Count < PinsPerWorker))
                {
                    var cid = TestEnvironment.NewCid();
                    if ((await go.PinAsync(cid)).Pinned)
                    {
                        mine.Add(cid);
                    }
                }
                else if (roll < 45)
                {
                    var cid = mine[random.Next(mine.Count)];
                    mine.Remove(cid);
                    await go.UnpinAsync(cid);
                }
                else if (roll < 85)
                {
                    await go.PinLsCidAsync(mine[random.Next(mine.Count)]);
                }
                else if (roll < 90)
                {
                    await go.PinLsAsync();
                }
                else
                {
                    await go.IdAsync();
                }

                samples.Add((started.TotalSeconds, (clock.Elapsed - started).TotalMilliseconds));
            }
        })).ToList();
        await Task.WhenAll(workers);
        await sampler;

        var all = samples.ToList();
        var first = all.Where(s => s.At < 60).Select(s => s.Ms).Order().ToList();
        var last = all.Where(s => s.At >= duration.TotalSeconds - 60).Select(s => s.Ms).Order().ToList();
        static double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, q * sorted.Count)];
        var rssFirst = rss.Where(r => r.At < 60).Select(r => r.Bytes).DefaultIfEmpty().Average();
        var rssLast = rss.Where(r => r.At >= duration.TotalSeconds - 60).Select(r => r.Bytes).DefaultIfEmpty().Average();
        TestContext.Out.WriteLine($"soak {duration.TotalMinutes:0} min, concurrency 10: {all.Count:N0} operations ({all.Count / duration.TotalSeconds:N0}/s)");
        TestContext.Out.WriteLine($"first minute: {first.Count:N0} ops, p50 {P(first, 0.5):0.0} ms, p99 {P(first, 0.99):0.0} ms; last minute: {last.Count:N0} ops, p50 {P(last, 0.5):0.0} ms, p99 {P(last, 0.99):0.0} ms (p99 drift {P(last, 0.99) / P(first, 0.99):0.00}x)");
        TestContext.Out.WriteLine($"test process RSS (gateway + emulator in-process): first minute {rssFirst / 1048576:0} MiB, last minute {rssLast / 1048576:0} MiB ({(rssLast / rssFirst - 1) * 100:+0.0;-0.0} %); peak {rss.Max(r => r.Bytes) / 1048576.0:0} MiB");
        Assert.That(all, Is.Not.Empty);
    }
}
