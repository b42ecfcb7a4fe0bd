using CompositeGateway.Lab.Connector;
using System.Diagnostics;
using System.Globalization;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional.Benchmarks;

/// <summary>
/// Figures for the pin path through the real gateway; printed, never asserted (run in Release):
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~Functional.Benchmarks"</c>.
/// </summary>
[Explicit("benchmarks: print figures, take a while")]
[NonParallelizable]
public sealed partial class GatewayBenchmarks
{
    private const int Warmup = 200;
    private const int Requests = 2000;

    /// <summary>
    /// <c>pin/ls?stream=true&amp;arg=…&amp;type=recursive</c> as the Go peer sends it (one HTTP hop, then
    /// <c>GET /allocations/{cid}</c> and <c>GET /pins/{cid}</c> at the undercluster) versus <c>GET /pins/{cid}</c>
    /// straight to the emulator. Sequential requests over kept-alive connections, emulator in-process.
    /// </summary>
    [Test]
    public async Task PinLsArg_ThroughGatewayVersusEmulatorDirect_Latency()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { PinPath = new PinPathOptions() });
        var gateway = environment.Gateway;
        var first = environment.Cluster.Seed(1000, metadata: OwnedMetadata(gateway));
        var cids = Enumerable.Range(0, 1000).Select(i => LabCids.Synthetic(first + i)).ToList();
        using var direct = new HttpClient { BaseAddress = environment.Cluster.BaseAddress };

        var throughGateway = await MeasureAsync(cids, async cid =>
        {
            var answer = await gateway.Go.PinLsCidAsync(cid);
            if (answer.Status != IpfsPinStatus.Recursive)
            {
                Assert.Fail($"{cid}: {answer.Status} {answer.Error}");
            }
        });
        var toEmulator = await MeasureAsync(cids, async cid =>
        {
            using var response = await direct.GetAsync("pins/" + cid);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        });

        TestContext.Out.WriteLine($"pin/ls?arg through the gateway (Go-peer request, {Requests:N0} after {Warmup} warm-up): {throughGateway}");
        TestContext.Out.WriteLine($"GET /pins/{{cid}} straight to the emulator ({Requests:N0} after {Warmup} warm-up):       {toEmulator}");
        TestContext.Out.WriteLine($"gateway / direct at p50: {throughGateway.P50 / toEmulator.P50:0.0}x (the gateway asks the undercluster twice: /allocations/{{cid}} then /pins/{{cid}})");
    }

    /// <summary>
    /// The full <c>pin/ls?stream=true&amp;type=recursive</c> of 1,000,000 owned pins through the gateway, with the
    /// emulator in its own process (<c>composite-gateway emulate</c>), so this process's working set, GC heap and
    /// allocations are the gateway's (plus a test client that only counts lines).
    /// </summary>
    [Test]
    public async Task FullListing_MillionOwnedPins_GatewayMemory()
    {
        const int pins = 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "cg-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        using var emulator = await ExternalEmulator.StartAsync();
        GatewayUnderTest? gateway = null;
        try
        {
            gateway = await GatewayUnderTest.StartAsync(
                new GatewayOptions
                {
                    Listen = "127.0.0.1:0",
                    AdminListen = "127.0.0.1:0",
                    IdentityFile = Path.Combine(folder, "identity.key"),
                    Underclusters = [new UnderclusterOptions { Name = "lab-0", Url = emulator.BaseAddress }],
                },
                new GoIpfsConnectorOptions(),
                CancellationToken.None);
            var seedClock = Stopwatch.StartNew();
            await emulator.SeedAsync(pins, OwnedMetadata(gateway));
            TestContext.Out.WriteLine($"seeded {pins:N0} owned pins in the emulator process in {seedClock.Elapsed.TotalSeconds:0.0}s (emulator working set {emulator.WorkingSetBytes / 1048576.0:N0} MiB)");

            var figures = await MeasureListingAsync(gateway, pins);
            TestContext.Out.WriteLine(figures.ToString());
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The metadata the gateway writes on pins it created (docs/design/ownership.md).</summary>
    private static Dictionary<string, string> OwnedMetadata(GatewayUnderTest gateway) => new(StringComparer.Ordinal)
    {
        [gateway.OwnerKey] = "2024-01-01T00:00:00Z",
        [gateway.Options.PinPath.MetadataPrefix + "created"] = "true",
    };

    private static async Task<Latency> MeasureAsync(IReadOnlyList<string> cids, Func<string, Task> call)
    {
        for (var i = 0; i < Warmup; i++)
        {
            await call(cids[i % cids.Count]);
        }

        var samples = new double[Requests];
        for (var i = 0; i < Requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(cids[(i * 7) % cids.Count]);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return new Latency(samples[Requests / 2], samples[(int)(Requests * 0.9)], samples[(int)(Requests * 0.99)], samples.Average(), samples[^1]);
    }

    private static async Task<ListingFigures> MeasureListingAsync(GatewayUnderTest gateway, int expected)
    {
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        process.Refresh();
        var baselineWorkingSet = process.WorkingSet64;
        var baselineHeap = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peakWorkingSet = baselineWorkingSet, peakHeap = baselineHeap, peakLiveHeap = baselineHeap;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            var ticks = 0;
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));

                // Once a second, the live heap after a full collection: garbage not yet collected is not "held".
                if (++ticks % 10 == 0)
                {
                    peakLiveHeap = Math.Max(peakLiveHeap, GC.GetTotalMemory(forceFullCollection: true));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        });

        // The client only counts lines (one pin per line) in a reused buffer, so its own allocations stay negligible.
        var clock = Stopwatch.StartNew();
        long lines = 0;
        long bytes = 0;
        TimeSpan firstByte = default;
        using (var response = await gateway.Go.SendAsync("pin/ls?stream=true&type=recursive", CancellationToken.None))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                if (bytes == 0)
                {
                    firstByte = clock.Elapsed;
                }

                bytes += read;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        Assert.That(lines, Is.EqualTo(expected));
        return new ListingFigures(
            lines,
            bytes,
            firstByte,
            clock.Elapsed,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            baselineWorkingSet,
            peakWorkingSet - baselineWorkingSet,
            baselineHeap,
            peakHeap,
            peakLiveHeap - baselineHeap);
    }

    private sealed record Latency(double P50, double P90, double P99, double Mean, double Max)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"p50 {P50:0.000} ms, p90 {P90:0.000} ms, p99 {P99:0.000} ms, mean {Mean:0.000} ms, max {Max:0.0} ms");
    }

    private sealed record ListingFigures(
        long Items,
        long Bytes,
        TimeSpan FirstByte,
        TimeSpan Elapsed,
        long AllocatedBytes,
        long BaselineWorkingSet,
        long PeakWorkingSetGrowth,
        long BaselineHeap,
        long PeakHeap,
        long PeakLiveHeapGrowth)
    {
        private const double MiB = 1048576.0;

        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"full pin/ls of {Items:N0} owned pins through the gateway: {Elapsed.TotalSeconds:0.0}s ({Items / Elapsed.TotalSeconds:N0} pins/s, {Bytes / MiB:N0} MiB, first byte after {FirstByte.TotalMilliseconds:N0} ms; Go peer's ipfs_request_timeout is 5 min)\n"
            + $"gateway process: working set {BaselineWorkingSet / MiB:N0} MiB before, peak growth while streaming {PeakWorkingSetGrowth / MiB:N1} MiB; "
            + $"GC heap {BaselineHeap / MiB:N1} MiB live before, peak {PeakHeap / MiB:N1} MiB (incl. garbage), peak live-heap growth {PeakLiveHeapGrowth / MiB:N1} MiB; "
            + $"allocated {AllocatedBytes / MiB:N0} MiB in total ({AllocatedBytes / (double)Items:N0} B/pin)");
    }

    /// <summary><c>composite-gateway emulate</c> in its own process on 127.0.0.1:0, killed on dispose.</summary>
    internal sealed class ExternalEmulator : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _client;

        private ExternalEmulator(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
            _client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        }

        public Uri BaseAddress { get; }

        public long WorkingSetBytes
        {
            get
            {
                _process.Refresh();
                return _process.WorkingSet64;
            }
        }

        public static async Task<ExternalEmulator> StartAsync()
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), "emulate", "--listen", "127.0.0.1:0"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                // "cluster lab-0 listening on http://127.0.0.1:PORT (3 peers)" (LabRunner).
                var at = line.IndexOf(" listening on ", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var url = line[(at + " listening on ".Length)..].Split(' ')[0];
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new ExternalEmulator(process, new Uri(url + "/"));
                }
            }

            process.Kill();
            throw new InvalidOperationException("the emulator did not report its address: " + await process.StandardError.ReadToEndAsync(CancellationToken.None));
        }

        public async Task SeedAsync(int count, IReadOnlyDictionary<string, string> metadata)
        {
            var query = string.Concat(metadata.Select(kv => $"&meta-{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
            using var response = await _client.PostAsync($"_lab/seed?count={count}{query}", null);
            response.EnsureSuccessStatusCode();
        }

        /// <summary><c>POST /ipfs/gc</c>: drops the blocks of unpinned adds, so big uploads do not pile up in the emulator.</summary>
        public async Task CollectGarbageAsync()
        {
            using var response = await _client.PostAsync("ipfs/gc", null);
            response.EnsureSuccessStatusCode();
        }

        public void Dispose()
        {
            _client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
