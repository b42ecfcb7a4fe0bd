using System.Diagnostics;
using CompositeGateway.Clusters;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Composition;

/// <summary>Benchmark (prints figures, asserts nothing about speed): pin/ls?arg through the composition vs straight to the emulator.</summary>
public sealed class QueryBenchmark
{
    [Test]
    [Explicit("benchmark: prints p50/p99 latencies")]
    public async Task Benchmark_QueryLatency_CompositionVsDirectStatus()
    {
        await using var harness = await CompositionHarness.StartAsync();
        var gateway = harness.StartGateway();
        var cids = Enumerable.Range(0, 200).Select(_ => CompositionHarness.NewCid()).ToList();
        foreach (var cid in cids)
        {
            await OwnershipFunctionalTests.PinAsync(gateway, cid);
        }

        var parsed = cids.Select(Cid.Parse).ToList();
        const int Rounds = 10;
        var composed = new List<double>();
        var direct = new List<double>();
        for (var round = 0; round < Rounds + 1; round++)
        {
            foreach (var cid in parsed)
            {
                var clock = Stopwatch.StartNew();
                var query = await gateway.Pins.QueryAsync(cid, CancellationToken.None);
                var composedMs = clock.Elapsed.TotalMilliseconds;
                Assert.That(query.PinnedAs, Is.EqualTo(PinMode.Recursive));

                clock.Restart();
                var status = await gateway.Client.GetStatusAsync(cid, local: false, CancellationToken.None);
                var directMs = clock.Elapsed.TotalMilliseconds;
                Assert.That(status.IsSuccess, Is.True);

                // Round 0 warms up connections and JIT.
                if (round > 0)
                {
                    composed.Add(composedMs);
                    direct.Add(directMs);
                }
            }
        }

        TestContext.Out.WriteLine($"pin/ls?arg via composition (GET /pins/{{cid}}, shape key):             {Describe(composed)}");
        TestContext.Out.WriteLine($"GET /pins/{{cid}} straight to the emulator:                        {Describe(direct)}");
    }

    private static string Describe(List<double> samples)
    {
        samples.Sort();
        double At(double q) => samples[(int)Math.Min(samples.Count - 1, Math.Floor(q * samples.Count))];
        return $"n={samples.Count} p50={At(0.50):0.000} ms p99={At(0.99):0.000} ms max={samples[^1]:0.000} ms";
    }
}
