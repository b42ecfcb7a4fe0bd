using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional.Benchmarks;

/// <summary>
/// The performance table (docs/development/performance.md): the gateway and its direct counterpart at the emulator,
/// side by side in one run, each in its own process (<c>composite-gateway emulate</c> and <c>composite-gateway run</c>
/// from this build), so RSS and allocations are the gateway's alone. Prints figures and ratios, asserts only
/// correctness. <c>CG_BENCH_PINS</c> sets the listing size (default 100,000; 1,000,000 works).
/// <c>CG_BENCH_GATEWAY</c>, the absolute path of a published <c>composite-gateway</c> executable (the Native AOT build
/// of docs/cli.md), runs the gateway side from it instead; the emulators stay this build's.
/// </summary>
[Explicit("benchmark: prints the performance table, takes a few minutes")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class PerformanceTable
{
    private const int Concurrency = 64;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Load before the measures of each kind of call, on both sides. A gateway process a few seconds old is still compiling its hot
    /// path to tier 1 (~4,400 methods JIT-compiled in the 10 s after a 3 s warm-up, the JIT thread ~14 % of the
    /// gateway's CPU, 440 µs of CPU per pin/ls?arg against ~85 µs once settled): without this, the rows measured the
    /// JIT, not the work per request. Tiering had settled after 40 s of load in the same measurement.
    /// </summary>
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(15);
    private readonly List<string> _rows = [];

    [Test]
    public async Task PerformanceTable_GatewayVersusEmulatorDirect_PrintsTable()
    {
        var pins = int.TryParse(Environment.GetEnvironmentVariable("CG_BENCH_PINS"), CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        using var emulator = await Child.StartEmulatorAsync("0s");
        using var slowEmulator = await Child.StartEmulatorAsync("2s");
        using var sharedEmulator = await Child.StartEmulatorAsync("0s");

        // One gateway alone in front of each undercluster, as in issue #15's setup: declared its sole_gateway, so its pin
        // waits end on the first pinned status. The third keeps the default (maybe shared), whose waits settle first.
        using var gateway = await Child.StartGatewayAsync(emulator.Url, soleGateway: true);
        using var slowGateway = await Child.StartGatewayAsync(slowEmulator.Url, soleGateway: true);
        using var sharedGateway = await Child.StartGatewayAsync(sharedEmulator.Url, soleGateway: false);
        using var client = NewClient();
        var owner = await OwnerKeyAsync(client, gateway.Url);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rss = new RssByPhase(gateway.ProcessId);
        var idleRss = rss.Rss();

        // pin/ls?arg=: 1,000 owned pins, stamped the way the gateway writes them.
        var shape = await SeedAsync(client, emulator.Url, 1000, owner);
        var first = shape.First;
        var cids = Enumerable.Range(0, 1000).Select(i => LabCids.Synthetic(first + i)).ToList();
        async Task PinLs(HttpClient c, int i)
        {
            using var r = await c.PostAsync(new Uri(gateway.Url, $"api/v0/pin/ls?stream=true&arg={cids[i % cids.Count]}&type=recursive"), null);
            var body = await r.Content.ReadAsStringAsync();
            Check(r.IsSuccessStatusCode && body.Contains("recursive", StringComparison.Ordinal), "pin/ls?arg", body);
        }

        async Task Status(HttpClient c, int i)
        {
            using var r = await c.GetAsync(new Uri(emulator.Url, "pins/" + cids[i % cids.Count]));
            Check(r.IsSuccessStatusCode, "GET /pins/{cid}", await r.Content.ReadAsStringAsync());
        }

        // Warmed at c=64 first: 300 calls at c=1 left the gateway's hot path in tier 0 (p50 1.1 ms, 170 µs once warm).
        await WarmAsync(client, PinLs);
        await WarmAsync(client, Status);
        var p50Gateway = await P50Async(client, PinLs);
        var p50Direct = await P50Async(client, Status);
        Row("pin/ls?arg vs GET /pins/{cid}, c=1 p50", Micro(p50Gateway), Micro(p50Direct), $"{p50Gateway / p50Direct:0.0}x slower, +{(p50Gateway - p50Direct) * 1000:N0} µs");

        var allocatedBefore = await gateway.AllocatedBytesAsync(client);
        var (rateGateway, calls) = await RateAsync(client, PinLs, rss.Phase("pin/ls?arg"));
        var allocatedPerCall = (await gateway.AllocatedBytesAsync(client) - allocatedBefore) / (double)calls;
        var (rateDirect, _) = await RateAsync(client, Status, null);
        Row("same, c=64 req/s", $"{rateGateway:N0}", $"{rateDirect:N0}", $"{rateGateway / rateDirect:0.00}");

        async Task RepoStat(HttpClient c, int i)
        {
            using var r = await c.PostAsync(new Uri(gateway.Url, "api/v0/repo/stat?size-only=true"), null);
            Check(r.IsSuccessStatusCode, "repo/stat", await r.Content.ReadAsStringAsync());
        }

        async Task FreeSpace(HttpClient c, int i)
        {
            using var r = await c.GetAsync(new Uri(emulator.Url, "monitor/metrics/freespace"));
            Check(r.IsSuccessStatusCode, "GET /monitor/metrics/freespace", await r.Content.ReadAsStringAsync());
        }

        await WarmAsync(client, RepoStat);
        var (statGateway, statCalls) = await RateAsync(client, RepoStat, rss.Phase("repo/stat"));
        await WarmAsync(client, FreeSpace);
        var (statDirect, _) = await RateAsync(client, FreeSpace, null);
        Row("repo/stat vs GET /monitor/metrics/freespace, c=64 req/s", $"{statGateway:N0}", $"{statDirect:N0}", $"{statGateway / statDirect:0.00}");

        // Full listing: N more owned pins (N + 1,000 in all).
        // Each side listed once first, as the other rows warm up: a gateway's first listing also times the JIT of the listing path.
        await SeedAsync(client, emulator.Url, pins, owner);
        var listing = new Uri(gateway.Url, "api/v0/pin/ls?stream=true&type=recursive");
        var pinset = new Uri(emulator.Url, "allocations?filter=pin");
        await StreamAsync(client, HttpMethod.Post, listing);
        await StreamAsync(client, HttpMethod.Get, pinset);
        var (listed, listGateway, firstGateway) = await SampledAsync(rss.Phase("listing"), () => StreamAsync(client, HttpMethod.Post, listing));
        var (allocations, listDirect, firstDirect) = await StreamAsync(client, HttpMethod.Get, pinset);
        Check(listed == pins + 1002, "pin/ls", $"{listed} lines for {pins + 1002} pins (two probe pins)");

        // One listing's first item is one sample of a few milliseconds on a shared machine; the medians of more
        // listings, alternating sides, say what is typical.
        var (firstGateways, firstDirects) = (new List<double> { firstGateway }, new List<double> { firstDirect });
        for (var probe = 0; probe < 8; probe++)
        {
            firstGateways.Add((await StreamAsync(client, HttpMethod.Post, listing)).FirstByte);
            firstDirects.Add((await StreamAsync(client, HttpMethod.Get, pinset)).FirstByte);
        }

        Row(
            $"full pin/ls of {listed:N0} owned pins vs streaming GET /allocations, items/s",
            $"{listed / listGateway:N0}",
            $"{allocations / listDirect:N0}",
            $"{listed / listGateway / (allocations / listDirect):0.00} (first item {firstGateway * 1000:N0} ms vs {firstDirect * 1000:N0} ms)");
        Row(
            $"first listed item, median of {firstGateways.Count} listings each",
            $"{Median(firstGateways) * 1000:N1} ms",
            $"{Median(firstDirects) * 1000:N1} ms",
            $"{Median(firstGateways) / Median(firstDirects):0.0}x");

        // pin/add at c=64, pin-delay 0: gateway until answered vs a direct client that POSTs and polls every 10 ms.
        var next = 90_000_000;
        async Task PinAdd(Uri gatewayUrl, HttpClient c)
        {
            var cid = LabCids.Synthetic(Interlocked.Increment(ref next));
            using var r = await c.PostAsync(new Uri(gatewayUrl, $"api/v0/pin/add?arg={cid}&recursive=true"), null);
            Check(r.IsSuccessStatusCode, "pin/add", await r.Content.ReadAsStringAsync());
        }

        // Two direct clients. One asks at once, then every 10 ms: the undercluster's own time-to-pinned, the fastest
        // any client can learn it. The other waits the way ipfs-cluster's own Go client does (rest/client WaitFor,
        // behind ipfs-cluster-ctl pin add --wait): status asked on a ticker, the first time one period after the POST
        // (docs/protocol/cluster-rest.md §5.9), here with a 10 ms period.
        async Task PinDirect(Uri emulatorUrl, HttpClient c, bool onTicker = false)
        {
            var cid = LabCids.Synthetic(Interlocked.Increment(ref next));
            using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            using (var r = await c.PostAsync(new Uri(emulatorUrl, "pins/" + cid), null))
            {
                Check(r.IsSuccessStatusCode, "POST /pins/{cid}", await r.Content.ReadAsStringAsync());
            }

            if (onTicker)
            {
                await ticker.WaitForNextTickAsync();
            }

            while (!Pinned(await c.GetStringAsync(new Uri(emulatorUrl, "pins/" + cid))))
            {
                await (onTicker ? ticker.WaitForNextTickAsync().AsTask() : Task.Delay(10));
            }
        }

        await WarmAsync(client, (c, _) => PinAdd(gateway.Url, c));
        var (addGateway, _) = await RateAsync(client, (c, _) => PinAdd(gateway.Url, c), rss.Phase("pin/add"));
        await WarmAsync(client, (c, _) => PinDirect(emulator.Url, c));
        var (addDirect, _) = await RateAsync(client, (c, _) => PinDirect(emulator.Url, c), null);
        var (addTicker, _) = await RateAsync(client, (c, _) => PinDirect(emulator.Url, c, onTicker: true), null);
        Row("pin/add, pin-delay 0, c=64 pins/s (direct: POST, GET at once and every 10 ms)", $"{addGateway:N1}", $"{addDirect:N1}", $"{addGateway / addDirect:0.00}");
        Row("same, direct waiting as ipfs-cluster's client does (GET on a 10 ms ticker)", $"{addGateway:N1}", $"{addTicker:N1}", $"{addGateway / addTicker:0.00}");

        // The default deployment, an undercluster other gateways may share: every wait settles (at least 20 ms) before a
        // status may end it (docs/design/ownership.md rule 2). Its own emulator, so that no other gateway shares the others.
        await WarmAsync(client, (c, _) => PinAdd(sharedGateway.Url, c));
        var (addShared, _) = await RateAsync(client, (c, _) => PinAdd(sharedGateway.Url, c), null);
        await WarmAsync(client, (c, _) => PinDirect(sharedEmulator.Url, c));
        var (addSharedDirect, _) = await RateAsync(client, (c, _) => PinDirect(sharedEmulator.Url, c), null);
        Row("same, sole_gateway not declared (the default: waits settle)", $"{addShared:N1}", $"{addSharedDirect:N1}", $"{addShared / addSharedDirect:0.00}");

        // Added latency: median pin/add time minus the direct client's median time-to-pinned, same concurrency.
        // Each side warmed first (the pin-delay 2 s gateway has served nothing yet: its first pins would time the JIT),
        // then three alternating runs; the row shows the median run of each side.
        foreach (var (label, gatewayUrl, emulatorUrl, count) in new[]
        {
            ("0", gateway.Url, emulator.Url, 40),
            ("2 s", slowGateway.Url, slowEmulator.Url, 16),
            ("0, sole_gateway not declared", sharedGateway.Url, sharedEmulator.Url, 40),
        })
        {
            await MedianAsync(count, () => PinAdd(gatewayUrl, client));
            await MedianAsync(count, () => PinDirect(emulatorUrl, client));
            var viaGateway = new List<double>();
            var direct = new List<double>();
            for (var run = 0; run < 3; run++)
            {
                viaGateway.Add(await MedianAsync(count, () => PinAdd(gatewayUrl, client)));
                direct.Add(await MedianAsync(count, () => PinDirect(emulatorUrl, client)));
            }

            var (g, d) = (viaGateway.Order().ElementAt(1), direct.Order().ElementAt(1));
            Row($"pin/add median, pin-delay {label} ({count} at once, median of 3 runs)", Milli(g), Milli(d), $"+{(g - d) * 1000:N0} ms added");
        }

        Row("gateway RSS idle / peak under c=64", $"{idleRss / 1048576.0:N0} MB / {rss.PeakOf("pin/ls?arg", "repo/stat", "pin/add") / 1048576.0:N0} MB", "", "");
        Row("gateway RSS peak by phase, in order (split at the peak)", rss.Describe(), "", "");
        Row("gateway allocated bytes per pin/ls?arg (c=64)", $"{allocatedPerCall:N0} B", "", "");

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"gateway ({gateway.Url}, {Child.GatewayBuild}) in front of emulate --peers 3 --pin-delay 0s, sole_gateway: true; direct = the same emulator; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        text.AppendLine("| Measure | Gateway | Direct | Ratio |");
        text.AppendLine("|---|---|---|---|");
        foreach (var row in _rows)
        {
            text.AppendLine(row);
        }

        TestContext.Out.WriteLine(text.ToString());
    }

    /// <summary>
    /// The full-listing row alone, with what explains it: three alternating runs of each side after a warm-up listing
    /// of each (the table's one cold listing also times the JIT), and per listed pin the CPU of the gateway and of the
    /// emulator (from /proc) and the gateway's allocated bytes. Same <c>CG_BENCH_PINS</c>.
    /// </summary>
    [Test]
    public async Task ListingRow_GatewayVersusEmulatorDirect_PrintsFigures()
    {
        var pins = int.TryParse(Environment.GetEnvironmentVariable("CG_BENCH_PINS"), CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        using var emulator = await Child.StartEmulatorAsync("0s");
        using var gateway = await Child.StartGatewayAsync(emulator.Url, soleGateway: true);
        using var client = NewClient();
        var owner = await OwnerKeyAsync(client, gateway.Url);
        await SeedAsync(client, emulator.Url, pins, owner);
        var listUrl = new Uri(gateway.Url, "api/v0/pin/ls?stream=true&type=recursive");
        var directUrl = new Uri(emulator.Url, "allocations?filter=pin");
        // Three listings before the measured ones: with one, the first rounds still ran the listing's code before its
        // tier-1 compilation, and their CPU per pin said more about the JIT than about the listing.
        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            await StreamAsync(client, HttpMethod.Post, listUrl);
            await StreamAsync(client, HttpMethod.Get, directUrl);
        }

        var viaGateway = new List<(double Rate, double First, double GatewayCpu, double EmulatorCpu, double Allocated)>();
        var direct = new List<(double Rate, double First, double EmulatorCpu)>();
        long peakRss = 0;
        for (var run = 0; run < 5; run++)
        {
            var (gatewayCpu, emulatorCpu, allocated) = (gateway.Cpu, emulator.Cpu, await gateway.AllocatedBytesAsync(client));
            using (var sampling = new CancellationTokenSource())
            {
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peakRss = Math.Max(peakRss, gateway.Rss);
                        await Task.Delay(100, CancellationToken.None);
                    }
                });
                var (listed, seconds, first) = await StreamAsync(client, HttpMethod.Post, listUrl);
                await sampling.CancelAsync();
                await sampler;
                Check(listed == pins + 1, "pin/ls", $"{listed} lines for {pins + 1} pins (one probe pin)");
                viaGateway.Add((
                    listed / seconds,
                    first,
                    (gateway.Cpu - gatewayCpu).TotalMicroseconds / listed,
                    (emulator.Cpu - emulatorCpu).TotalMicroseconds / listed,
                    (await gateway.AllocatedBytesAsync(client) - allocated) / (double)listed));
            }

            emulatorCpu = emulator.Cpu;
            var (items, directSeconds, directFirst) = await StreamAsync(client, HttpMethod.Get, directUrl);
            direct.Add((items / directSeconds, directFirst, (emulator.Cpu - emulatorCpu).TotalMicroseconds / items));
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"full pin/ls of {pins + 1:N0} owned pins vs streaming GET /allocations?filter=pin; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        text.AppendLine("| Run | Gateway items/s | Direct items/s | Ratio | First item gateway / direct | Gateway CPU per pin | Emulator CPU per pin (via gateway / direct) | Gateway ÷ emulator CPU, same listing | Gateway allocated per pin |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        for (var run = 0; run < viaGateway.Count; run++)
        {
            var (g, d) = (viaGateway[run], direct[run]);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {run + 1} | {g.Rate:N0} | {d.Rate:N0} | {g.Rate / d.Rate:0.00} | {g.First * 1000:N1} ms / {d.First * 1000:N1} ms | {g.GatewayCpu:N1} µs | {g.EmulatorCpu:N1} µs / {d.EmulatorCpu:N1} µs | {g.GatewayCpu / g.EmulatorCpu:0.00} | {g.Allocated:N0} B |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"gateway peak RSS during the listings: {peakRss / 1048576.0:N0} MB");
        TestContext.Out.WriteLine(text.ToString());
    }

    private static bool Pinned(string status)
    {
        using var document = JsonDocument.Parse(status);
        var pinned = 0;
        foreach (var peer in document.RootElement.GetProperty("peer_map").EnumerateObject())
        {
            switch (peer.Value.GetProperty("status").GetString())
            {
                case "pinned":
                    pinned++;
                    break;
                case "remote":
                    break;
                default:
                    return false;
            }
        }

        return pinned > 0;
    }

    private static void Check(bool ok, string what, string detail)
    {
        if (!ok)
        {
            Assert.Fail($"{what}: {detail}");
        }
    }

    private static string Micro(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:N0} µs");

    private static string Milli(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:N0} ms");

    private static HttpClient NewClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromMinutes(10),
    };

    private static async Task<string> OwnerKeyAsync(HttpClient client, Uri gateway)
    {
        using var r = await client.PostAsync(new Uri(gateway, "api/v0/id"), null);
        using var document = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return "composite-gateway/owner/" + document.RootElement.GetProperty("ID").GetString();
    }

    /// <summary>Seeds owned pins with the shape key the gateway stamps (docs/design/ownership.md), read from a first seeded pin's replication.</summary>
    private static async Task<(long First, string Shape)> SeedAsync(HttpClient client, Uri emulator, int count, string owner)
    {
        var meta = $"&meta-{Uri.EscapeDataString(owner)}=2024-01-01T00:00:00Z&meta-composite-gateway%2Fcreated=true";
        using var probe = await client.PostAsync(new Uri(emulator, "_lab/seed?count=1" + meta), null);
        using var probeAnswer = JsonDocument.Parse(await probe.Content.ReadAsStringAsync());
        var firstProbe = probeAnswer.RootElement.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Number).Value.GetInt64();
        using var pin = JsonDocument.Parse(await client.GetStringAsync(new Uri(emulator, "allocations/" + LabCids.Synthetic(firstProbe))));
        var shape = $"recursive/{pin.RootElement.GetProperty("replication_factor_min").GetInt32()}/{pin.RootElement.GetProperty("replication_factor_max").GetInt32()}";
        using var seed = await client.PostAsync(new Uri(emulator, $"_lab/seed?count={count}{meta}&meta-composite-gateway%2Fshape={Uri.EscapeDataString(shape)}"), null);
        var body = await seed.Content.ReadAsStringAsync();
        Check(seed.IsSuccessStatusCode, "seed", body);
        using var answer = JsonDocument.Parse(body);
        return (answer.RootElement.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Number).Value.GetInt64(), shape);
    }

    private static async Task<double> P50Async(HttpClient client, Func<HttpClient, int, Task> call)
    {
        for (var i = 0; i < 300; i++)
        {
            await call(client, i);
        }

        var samples = new double[1500];
        for (var i = 0; i < samples.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(client, i * 7);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    /// <summary><see cref="Concurrency"/> workers for <see cref="WarmUpTime"/>, figures dropped.</summary>
    private static Task WarmAsync(HttpClient client, Func<HttpClient, int, Task> call) => RateAsync(client, call, null, WarmUpTime);

    /// <summary><see cref="Concurrency"/> workers for <see cref="LoadTime"/> after a warm-up: calls per second and calls made.</summary>
    private static async Task<(double Rate, long Calls)> RateAsync(HttpClient client, Func<HttpClient, int, Task> call, Action? sample, TimeSpan? duration = null)
    {
        var loadTime = duration ?? LoadTime;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(w => call(client, w)));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && sample is not null)
            {
                sample();
                await Task.Delay(100, CancellationToken.None);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async w =>
        {
            for (var i = w; clock.Elapsed < loadTime; i += Concurrency)
            {
                await call(client, i);
                Interlocked.Increment(ref calls);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        return (calls / elapsed, calls);
    }

    /// <summary>Runs <paramref name="work"/> while calling <paramref name="sample"/> every 100 ms.</summary>
    private static async Task<T> SampledAsync<T>(Action sample, Func<Task<T>> work)
    {
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sample();
                await Task.Delay(100, CancellationToken.None);
            }
        });
        var result = await work();
        await stop.CancelAsync();
        await sampler;
        return result;
    }

    private static async Task<double> MedianAsync(int count, Func<Task> call)
    {
        var times = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }));
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>Lines streamed, seconds to the end, seconds to the first byte.</summary>
    private static async Task<(long Lines, double Seconds, double FirstByte)> StreamAsync(HttpClient client, HttpMethod method, Uri url)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(method, url);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Check(response.IsSuccessStatusCode, url.ToString(), response.StatusCode.ToString());
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long lines = 0;
        double firstByte = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            firstByte = firstByte == 0 ? clock.Elapsed.TotalSeconds : firstByte;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return (lines, clock.Elapsed.TotalSeconds, firstByte);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private void Row(string measure, string gateway, string direct, string ratio)
    {
        var row = $"| {measure} | {gateway} | {direct} | {ratio} |";
        _rows.Add(row);
        TestContext.Progress.WriteLine(row);
    }

    /// <summary>A <c>composite-gateway</c> child process of this build, killed on dispose.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly string? _folder;

        private Child(Process process, Uri url, Uri? admin, string? folder)
        {
            _process = process;
            Url = url;
            Admin = admin;
            _folder = folder;
        }

        public Uri Url { get; }

        public Uri? Admin { get; }

        public int ProcessId => _process.Id;

        /// <summary>Resident set size from /proc (Linux).</summary>
        public long Rss
        {
            get
            {
                foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                    }
                }

                return 0;
            }
        }

        /// <summary>User plus system CPU time of the process so far (from /proc).</summary>
        public TimeSpan Cpu
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        public static async Task<Child> StartEmulatorAsync(string pinDelay)
        {
            var process = Start(null, "emulate", "--listen", "127.0.0.1:0", "--peers", "3", "--pin-delay", pinDelay);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                // "cluster lab-0 listening on http://127.0.0.1:PORT (3 peers)" (LabRunner).
                var at = line.IndexOf(" listening on ", StringComparison.Ordinal);
                if (at >= 0)
                {
                    Drain(process);
                    return new Child(process, new Uri(line[(at + " listening on ".Length)..].Split(' ')[0] + "/"), null, null);
                }
            }

            process.Kill();
            throw new InvalidOperationException("the emulator did not report its address");
        }

        public static async Task<Child> StartGatewayAsync(Uri undercluster, bool soleGateway)
        {
            var folder = Path.Combine(Path.GetTempPath(), "cg-perf-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            var (port, adminPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
            var config = Path.Combine(folder, "gateway.yaml");
            await File.WriteAllTextAsync(config, $"""
                listen: 127.0.0.1:{port}
                admin_listen: 127.0.0.1:{adminPort}
                identity_file: identity.key
                underclusters:
                  - name: lab-0
                    url: {undercluster.ToString().TrimEnd('/')}
                    sole_gateway: {(soleGateway ? "true" : "false")}
                """);
            var process = Start(GatewayExecutable, "run", "--config", config);
            Drain(process);
            var child = new Child(process, new Uri($"http://127.0.0.1:{port}/"), new Uri($"http://127.0.0.1:{adminPort}/"), folder);
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (true)
            {
                try
                {
                    using var r = await probe.PostAsync(new Uri(child.Url, "api/v0/id"), null);
                    if (r.IsSuccessStatusCode)
                    {
                        return child;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or still starting on a loaded machine.
                }

                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    child.Dispose();
                    throw new InvalidOperationException("the gateway did not start");
                }

                await Task.Delay(200);
            }
        }

        /// <summary><c>dotnet_gc_allocated_bytes_total</c> from the gateway's <c>/metrics</c>.</summary>
        public async Task<long> AllocatedBytesAsync(HttpClient client)
        {
            var text = await client.GetStringAsync(new Uri(Admin!, "metrics"));
            var line = text.Split('\n').First(l => l.StartsWith("dotnet_gc_allocated_bytes_total", StringComparison.Ordinal) && !l.StartsWith('#'));
            return (long)double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
            if (_folder is not null)
            {
                Directory.Delete(_folder, recursive: true);
            }
        }

        /// <summary><c>CG_BENCH_GATEWAY</c>: a published gateway executable for the gateway side; null = this build's dll.</summary>
        private static string? GatewayExecutable => Environment.GetEnvironmentVariable("CG_BENCH_GATEWAY") is { Length: > 0 } path
            ? File.Exists(path) && Path.IsPathRooted(path) ? path : throw new InvalidOperationException($"CG_BENCH_GATEWAY: \"{path}\" is not the absolute path of an executable")
            : null;

        /// <summary>What the gateway side runs, for the table's first line.</summary>
        public static string GatewayBuild => GatewayExecutable ?? "this build, JIT";

        private static Process Start(string? executable, params string[] arguments)
        {
            var start = executable is not null
                ? new ProcessStartInfo(executable, arguments)
                : new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), .. arguments]);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            return Process.Start(start) ?? throw new InvalidOperationException("could not start composite-gateway " + arguments[0]);
        }

        private static void Drain(Process process)
        {
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        }

    }
}
