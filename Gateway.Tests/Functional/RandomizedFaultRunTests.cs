using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// The randomized fault run (docs/development/tests.md): a replayed Go overcluster peer at <c>concurrent_pins</c> 10
/// pins, unpins and lists CIDs through the gateway while a seeded schedule injects faults into two emulated
/// underclusters through their control API (<c>/_lab/faults</c>, <c>/_lab/down</c>, docs/development/lab.md). Judged
/// against the emulators' pinsets at the moment each operation ends: no false success (a clean <c>pin/add</c> is pinned
/// then; a successful <c>pin/rm</c> left no pin of ours), no pin of another owner deleted, every operation ended
/// within its bound, and once the faults stop the peer's recover loop pins every pin that failed.
/// Rerun a seed with <c>FAULT_RUN_SEED=&lt;seed&gt;</c>.
/// </summary>
[NonParallelizable]
public sealed class RandomizedFaultRunTests
{
    private const string OtherOwner = "12D3KooWOtherGatewayOwnsThisPin111111111111111111";
    private static readonly TimeSpan OperationBound = TimeSpan.FromSeconds(45);

    [Test]
    public Task FaultRun_Short_NoFalseSuccessAndEverythingRecovers() => RunAsync(TimeSpan.FromSeconds(40));

    [Test]
    [Category("Benchmarks")]
    [Explicit("benchmark: a few minutes of faults, prints counts")]
    public Task FaultRun_Long_Benchmark() => RunAsync(TimeSpan.FromMinutes(4));

    private static int Seed() =>
        Environment.GetEnvironmentVariable("FAULT_RUN_SEED") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : Random.Shared.Next();

    private static async Task RunAsync(TimeSpan duration)
    {
        var seed = Seed();
        TestContext.Out.WriteLine($"fault run: seed {seed} (rerun: FAULT_RUN_SEED={seed}), {duration.TotalSeconds:0} s of faults, 2 underclusters, concurrency {GoClusterPeer.ConcurrentPins}");
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            Clusters = 2,
            Cluster = new EmulatedClusterOptions { PinDelay = TimeSpan.FromMilliseconds(100) },
            UnderclusterTimeout = TimeSpan.FromSeconds(2),
            GoPeer = new GoIpfsConnectorOptions { IpfsRequestTimeout = TimeSpan.FromSeconds(20), PinTimeout = TimeSpan.FromSeconds(10) },
        });
        var gateway = environment.Gateway;
        var clusters = environment.Clusters;
        var prefix = gateway.Options.PinPath.MetadataPrefix;

        // Pins of another gateway: 20 alone in each undercluster, and 10 that this peer will pin and unpin as well.
        var others = new List<(EmulatedCluster Cluster, string Cid)>();
        var otherMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { [prefix + "owner/" + OtherOwner] = "2024-01-01T00:00:00Z", [prefix + "created"] = "true" };
        foreach (var cluster in clusters)
        {
            var first = cluster.Seed(30, metadata: otherMetadata);
            others.AddRange(Enumerable.Range(0, 30).Select(i => (cluster, LabCids.Synthetic(first + i))));
        }

        var shared = others.Where((_, i) => i % 30 >= 20).Select(o => o.Cid).ToList();
        var random = new Random(seed);
        var counts = new ConcurrentDictionary<string, int>();
        var problems = new ConcurrentQueue<string>();
        var intended = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal); // cid → should end pinned
        var longest = new ConcurrentDictionary<string, double>();

        var reasons = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        void Count(string what) => counts.AddOrUpdate(what, 1, (_, n) => n + 1);
        void Reason(string? text)
        {
            if (text is not null)
            {
                reasons.AddOrUpdate(Normalize(text), 1, (_, n) => n + 1);
            }
        }

        void Problem(string what)
        {
            Count("problem");
            if (problems.Count < 50)
            {
                problems.Enqueue(what);
            }
        }

        bool PinnedNow(string cid) => clusters.Any(c => c.GetPin(cid) is { } pin && pin.Metadata?.ContainsKey(gateway.OwnerKey) == true
            && Enumerable.Range(0, c.Peers.Count).Any(i => c.PeerStatus(cid, i) == TrackerStatus.Pinned));
        bool OursAnywhere(string cid) => clusters.Any(c => c.GetPin(cid)?.Metadata?.ContainsKey(gateway.OwnerKey) == true);

        using var stop = new CancellationTokenSource(duration);
        var schedule = RunScheduleAsync(clusters, new Random(seed ^ 0x5eed), Count, stop.Token);
        var workerSeeds = Enumerable.Range(0, GoClusterPeer.ConcurrentPins).Select(_ => random.Next()).ToList();
        var workers = workerSeeds.Select((workerSeed, w) => Task.Run(async () =>
        {
            var rnd = new Random(workerSeed);
            // Each worker owns its CIDs (and a share of the other owner's), so its checks are not raced by another worker.
            var mine = new List<string>();
            var sharedMine = shared.Where((_, i) => i % GoClusterPeer.ConcurrentPins == w).ToList();
            while (!stop.IsCancellationRequested)
            {
                var roll = rnd.Next(100);
                var clock = Stopwatch.StartNew();
                using var bound = new CancellationTokenSource(OperationBound);
                string kind;
                try
                {
                    if (roll < 45 || mine.Count == 0)
                    {
                        kind = "pin";
                        var cid = rnd.Next(5) == 0 && sharedMine.Count > 0 ? sharedMine[rnd.Next(sharedMine.Count)]
                            : rnd.Next(4) == 0 && mine.Count > 0 ? mine[rnd.Next(mine.Count)]
                            : TestEnvironment.NewCid();
                        if (!mine.Contains(cid))
                        {
                            mine.Add(cid);
                        }

                        intended[cid] = true;
                        var outcome = await gateway.Go.PinAsync(cid, cancellationToken: bound.Token);
                        if (outcome.Pinned && !PinnedNow(cid))
                        {
                            Problem($"false success: pin/add {cid} ended cleanly (skipped pin/add: {outcome.SkippedPinAdd}) but no undercluster has it pinned for us");
                        }

                        Count(outcome.Pinned ? "pin ok" : "pin failed");
                        Reason(outcome.Error?.Text);
                    }
                    else if (roll < 75)
                    {
                        kind = "unpin";
                        var cid = mine[rnd.Next(mine.Count)];
                        intended[cid] = false;
                        var error = await gateway.Go.UnpinAsync(cid, bound.Token);
                        if (error is null && OursAnywhere(cid))
                        {
                            Problem($"false success: pin/rm {cid} succeeded but a pin of ours is still there");
                        }

                        Count(error is null ? "unpin ok" : "unpin failed");
                        Reason(error?.Text);
                    }
                    else if (roll < 92)
                    {
                        kind = "pin/ls?arg";
                        var cid = mine[rnd.Next(mine.Count)];
                        var status = await gateway.Go.PinLsCidAsync(cid, cancellationToken: bound.Token);
                        if (status.Status == IpfsPinStatus.Recursive && !PinnedNow(cid) && !OursAnywhere(cid))
                        {
                            Problem($"false status: pin/ls?arg={cid} said pinned, no pin of ours anywhere");
                        }

                        Count(status.Error is null ? "pin/ls?arg ok" : "pin/ls?arg failed");
                    }
                    else
                    {
                        kind = "pin/ls";
                        var listing = await gateway.Go.PinLsAsync(cancellationToken: bound.Token);
                        Count(listing.Error is null ? "pin/ls ok" : "pin/ls failed");
                    }
                }
                catch (OperationCanceledException) when (bound.IsCancellationRequested)
                {
                    kind = "bound";
                    Problem($"an operation took longer than {OperationBound.TotalSeconds:0} s");
                }

                longest.AddOrUpdate(kind, clock.Elapsed.TotalSeconds, (_, s) => Math.Max(s, clock.Elapsed.TotalSeconds));
            }
        })).ToList();
        await Task.WhenAll(workers);
        await schedule;

        // Faults stop; the peer's recover loop (pin_recover_interval) runs until everything it wants is pinned. A cluster
        // sent down by the last fault comes back only after it has finished stopping plus the hold, which under load
        // can be later than the schedule's own wait: its control API refuses connections until then.
        var upBy = Stopwatch.StartNew();
        while (clusters.Any(c => !c.IsUp) && upBy.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        Assert.That(clusters.Where(c => !c.IsUp).Select(c => c.Name), Is.Empty, $"seed {seed}: an undercluster sent down did not come back within 30 s");
        using (var control = new HttpClient())
        {
            foreach (var cluster in clusters)
            {
                await control.DeleteAsync(new Uri(cluster.BaseAddress, "_lab/faults"));
            }
        }

        var recoverClock = Stopwatch.StartNew();
        var wanted = intended.Where(kv => kv.Value).Select(kv => kv.Key).ToList();
        var unwanted = intended.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        var rounds = 0;
        var peer = new GoClusterPeer(gateway.Go);
        while (rounds++ < 20)
        {
            var (status, repinned) = await peer.RecoverAllAsync(wanted);
            await peer.UnpinAllAsync(unwanted.Where(OursAnywhere));
            if (status.Ok && repinned.Values.All(o => o.Pinned) && wanted.All(PinnedNow) && !unwanted.Any(OursAnywhere))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var notPinned = wanted.Where(c => !PinnedNow(c)).ToList();
        var leftOver = unwanted.Where(OursAnywhere).ToList();
        var othersLost = others.Where(o => o.Cluster.GetPin(o.Cid)?.Metadata?.ContainsKey(prefix + "owner/" + OtherOwner) != true).ToList();

        TestContext.Out.WriteLine("operations: " + string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} × {kv.Value:N0}")));
        TestContext.Out.WriteLine("most frequent failures: " + string.Join("; ", reasons.OrderByDescending(kv => kv.Value).Take(6).Select(kv => $"{kv.Value:N0} × {kv.Key}")));
        TestContext.Out.WriteLine("longest: " + string.Join(", ", longest.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:0.0} s")));
        TestContext.Out.WriteLine($"after the faults: {rounds} recover round(s) in {recoverClock.Elapsed.TotalSeconds:0.0} s; {wanted.Count} wanted pinned ({notPinned.Count} not), {unwanted.Count} unpinned ({leftOver.Count} still ours); other owner's pins lost: {othersLost.Count}");

        Assert.That(problems, Is.Empty, $"seed {seed}:\n" + string.Join("\n", problems));
        Assert.That(notPinned, Is.Empty, $"seed {seed}: the recover loop did not pin these");
        Assert.That(leftOver, Is.Empty, $"seed {seed}: pins of ours left after unpins");
        Assert.That(othersLost.Select(o => o.Cid), Is.Empty, $"seed {seed}: another owner's pins were deleted");
        Assert.That(counts.GetValueOrDefault("pin ok"), Is.GreaterThan(0));
    }

    /// <summary>An error text without its CIDs, peer IDs and numbers, so that alike failures count together.</summary>
    private static string Normalize(string text)
    {
        var words = text.Split(' ').Select(w => w.Length > 30 || w.Any(char.IsDigit) ? "…" : w);
        var normalized = string.Join(' ', words);
        return normalized.Length <= 140 ? normalized : normalized[..140];
    }

    /// <summary>Every 0.5–2 s one fault, held 0.5–3 s, on one of the underclusters, through its control API.</summary>
    private static async Task RunScheduleAsync(IReadOnlyList<EmulatedCluster> clusters, Random random, Action<string> count, CancellationToken stop)
    {
        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 2000)), stop);
                var cluster = clusters[random.Next(clusters.Count)];
                var hold = TimeSpan.FromMilliseconds(random.Next(500, 3000));
                var (name, body) = random.Next(8) switch
                {
                    0 => ("500s", """{"error_rate":0.4}"""),
                    1 => ("latency", """{"latency":"300ms","jitter":"300ms"}"""),
                    2 => ("hangs", """{"hang_rate":0.3}"""),
                    3 => ("resets", """{"reset_connections":true}"""),
                    4 => ("down", null),
                    5 => ("pin_errors", """{"pin_error_rate":0.5}"""),
                    6 => ("slow pins", """{"pin_delay":"3s"}"""),
                    _ => ("cut streams", """{"drop_stream_after":3}"""),
                };
                count("fault " + name);
                if (body is null)
                {
                    await control.PostAsync(new Uri(cluster.BaseAddress, $"_lab/down?for={(int)hold.TotalMilliseconds}ms"), null, CancellationToken.None);
                    await Task.Delay(hold, CancellationToken.None);
                    continue;
                }

                await control.PutAsync(new Uri(cluster.BaseAddress, "_lab/faults"), new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken.None);
                await Task.Delay(hold, CancellationToken.None);
                await control.DeleteAsync(new Uri(cluster.BaseAddress, "_lab/faults"), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
