using System.Diagnostics;
using System.Globalization;
using System.Net;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>
/// Forwarding through the gateway versus nginx and a bare YARP forwarder, same upstream, one run; printed, never asserted
/// (run in Release):
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~ForwardingBenchmark" --logger "console;verbosity=detailed"</c>.
/// <para>Every part is its own process, as in a deployment. <c>block/get</c>: the upstream is the emulator's IPFS facet
/// (<c>composite-gateway.dll emulate --ipfs-listen</c>) serving a 1 KiB raw block added through its REST <c>/add</c>;
/// the gateway is <c>composite-gateway.dll run --config</c>; nginx (<c>/usr/sbin/nginx</c>) has one worker and
/// kept-alive HTTP/1.1 connections to the upstream, as an operator configures it (<see cref="ExternalProcess.StartNginxAsync"/>);
/// the third side, <see cref="BareYarpForwarder"/>, is Kestrel with nothing but YARP's forwarder, with the gateway's
/// runtime settings: what Kestrel + YARP cost before any of the gateway's own code. The load is <c>wrk</c> (Debian
/// package; the test process's own HttpClient loop when absent), the same threads and connections for every side.</para>
/// <para>On a shared, noisy machine one long window per side means little, so the sides take turns in many short rounds
/// (gateway, nginx, bare YARP, then bare YARP, nginx, gateway, …): each turn gives one requests/s ratio per two sides,
/// and the median over the turns is the figure, printed with its spread. CPU time per request, read from
/// <c>/proc/&lt;pid&gt;/stat</c> of each proxy (nginx: master and worker) and of the upstream, is the steadier
/// comparison: other programs' load changes how many requests a window holds much more than what each request costs.</para>
/// <para><c>cat</c> of 1 GiB: the upstream is <see cref="FakeIpfsDaemon"/> in this process (<c>cat?arg=size-N</c>
/// generates its bytes, so 1 GiB streams without being stored anywhere), read by this process; the three sides take
/// turns too; the gateway's VmRSS is sampled during its runs.</para>
/// </summary>
[Explicit("benchmark: prints figures, takes about three minutes")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class ForwardingBenchmark
{
    private const long CatBytes = 1L << 30;
    private const int Turns = 10;
    private const int CatTurns = 3;
    private static readonly TimeSpan RequestWindow = TimeSpan.FromSeconds(2);

    /// <summary>Load on each .NET proxy before measuring, until tiered compilation has settled on its final code.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);

    [Test]
    public async Task CatOneGiB_And_BlockGetRate_GatewayVersusNginxAndBareYarp()
    {
        const string Nginx = "/usr/sbin/nginx";
        if (!File.Exists(Nginx))
        {
            Assert.Ignore("NOTICE: nginx not installed at " + Nginx + ", benchmark skipped");
        }

        await using var daemon = await FakeIpfsDaemon.StartAsync();
        var folder = Directory.CreateTempSubdirectory("cg-fwd-bench-").FullName;
        try
        {
            var loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(5) };
            using var upstream = await ExternalProcess.StartEmulatorAsync(folder);
            var block = await AddBlockAsync(client, upstream.BaseAddress);
            using var gateway = await ExternalProcess.StartGatewayAsync(folder, "block", upstream.BaseAddress, upstream.IpfsAddress!);
            using var nginx = await ExternalProcess.StartNginxAsync(Nginx, folder, upstream.IpfsAddress!, daemon.Url);
            using var bare = await ExternalProcess.StartBareYarpAsync(folder, upstream.IpfsAddress!);
            var load = LoadGenerator.Create(folder, client);
            var path = $"api/v0/block/get?arg={block}";
            var output = TestContext.Out;

            // Warm-up: JIT and tiering in both .NET proxies and the upstream, connection pools, nginx's upstream connections.
            for (var warm = Stopwatch.StartNew(); warm.Elapsed < WarmUp * 2;)
            {
                await load.RunAsync(new Uri(gateway.BaseAddress, path), TimeSpan.FromSeconds(2));
                await load.RunAsync(new Uri(bare.BaseAddress, path), TimeSpan.FromSeconds(2));
            }

            await load.RunAsync(new Uri(nginx.BaseAddress, path), TimeSpan.FromSeconds(2));

            var turns = new List<Turn<Rate>>();
            for (var turn = 0; turn < Turns; turn++)
            {
                turns.Add(await TakeTurnsAsync(turn, side => MeasureAsync(load, side, upstream, path, client), gateway, nginx, bare));
            }

            var version = await MeasureAsync(load, gateway, null, "api/v0/version", client);

            // cat: a gateway and a bare forwarder whose daemon is the double in this process (generated bytes); nginx sends cat there too.
            using var catGateway = await ExternalProcess.StartGatewayAsync(folder, "cat", upstream.BaseAddress, daemon.Url);
            using var catBare = await ExternalProcess.StartBareYarpAsync(folder, daemon.Url);
            foreach (var side in new[] { catGateway, nginx, catBare })
            {
                await CatAsync(client, side, 64L << 20);
            }

            var rssBefore = catGateway.Status("VmRSS");
            var cats = new List<Turn<Cat>>();
            for (var turn = 0; turn < CatTurns; turn++)
            {
                cats.Add(await TakeTurnsAsync(turn, side => CatAsync(client, side, CatBytes), catGateway, nginx, catBare));
            }

            var hwm = catGateway.Status("VmHWM");

            output.WriteLine($"Forwarding benchmark ({Environment.ProcessorCount} cores, load average {loadAtStart} at the start, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; load: {load.Name}, {LoadGenerator.Threads} threads, {LoadGenerator.Connections} connections; {Turns} turns of 2 s rounds, gateway, nginx and bare YARP in turn, the order reversed every other turn)");
            output.WriteLine("| `block/get` 1 KiB, turn | req/s: gateway | nginx | bare YARP | gateway / nginx | bare / nginx | gateway / bare | CPU us/request: gateway | nginx | bare | upstream under gateway | nginx | bare | context switches/request: gateway | nginx | bare | bytes allocated/request: gateway | bare |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (var i = 0; i < turns.Count; i++)
            {
                var (g, n, b) = turns[i];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {i + 1} | {g.PerSecond:0} | {n.PerSecond:0} | {b.PerSecond:0} | {g.PerSecond / n.PerSecond:0.00} | {b.PerSecond / n.PerSecond:0.00} | {g.PerSecond / b.PerSecond:0.00} | {g.ProxyMicros:0.0} | {n.ProxyMicros:0.0} | {b.ProxyMicros:0.0} | {g.UpstreamMicros:0.0} | {n.UpstreamMicros:0.0} | {b.UpstreamMicros:0.0} | {g.Switches:0.00} | {n.Switches:0.00} | {b.Switches:0.00} | {g.AllocatedBytes:0} | {b.AllocatedBytes:0} |"));
            }

            output.WriteLine($"block/get requests/s: gateway / nginx median {Summary.Of(turns.Select(t => t.Gateway.PerSecond / t.Nginx.PerSecond))}; bare YARP / nginx median {Summary.Of(turns.Select(t => t.Bare.PerSecond / t.Nginx.PerSecond))}; gateway / bare YARP median {Summary.Of(turns.Select(t => t.Gateway.PerSecond / t.Bare.PerSecond))}");
            output.WriteLine($"block/get CPU us/request: gateway median {Summary.Of(turns.Select(t => t.Gateway.ProxyMicros))}; nginx median {Summary.Of(turns.Select(t => t.Nginx.ProxyMicros))}; bare YARP median {Summary.Of(turns.Select(t => t.Bare.ProxyMicros))}");
            output.WriteLine($"block/get nginx / proxy CPU of proxy + upstream (the requests/s ratio on a saturated machine, without the load generator's share): gateway median {Summary.Of(turns.Select(t => PathQuotient(t.Nginx, t.Gateway)))}; bare YARP median {Summary.Of(turns.Select(t => PathQuotient(t.Nginx, t.Bare)))}");
            output.WriteLine($"block/get context switches/request: gateway median {Summary.Of(turns.Select(t => t.Gateway.Switches))}, nginx median {Summary.Of(turns.Select(t => t.Nginx.Switches))}, bare YARP median {Summary.Of(turns.Select(t => t.Bare.Switches))}; bytes allocated/request: gateway median {Summary.Of(turns.Select(t => t.Gateway.AllocatedBytes))}, bare YARP median {Summary.Of(turns.Select(t => t.Bare.AllocatedBytes))}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Gateway answering `version` itself (no upstream hop): {version.PerSecond:0} requests/s, {version.ProxyMicros:0.0} CPU us/request"));

            output.WriteLine("| `cat` 1 GiB, turn | MB/s: gateway | nginx | bare YARP | gateway / nginx | bare / nginx | gateway / bare | CPU s/GiB: gateway | nginx | bare | gateway VmRSS max MiB |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (var i = 0; i < cats.Count; i++)
            {
                var (g, n, b) = cats[i];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {i + 1} | {g.MBps:0} | {n.MBps:0} | {b.MBps:0} | {g.MBps / n.MBps:0.00} | {b.MBps / n.MBps:0.00} | {g.MBps / b.MBps:0.00} | {g.CpuSeconds:0.00} | {n.CpuSeconds:0.00} | {b.CpuSeconds:0.00} | {g.MaxRssKiB / 1024.0:0.0} |"));
            }

            output.WriteLine($"cat 1 GiB MB/s: gateway / nginx median {Summary.Of(cats.Select(c => c.Gateway.MBps / c.Nginx.MBps))}; bare YARP / nginx median {Summary.Of(cats.Select(c => c.Bare.MBps / c.Nginx.MBps))}; gateway / bare YARP median {Summary.Of(cats.Select(c => c.Gateway.MBps / c.Bare.MBps))}");
            output.WriteLine($"cat 1 GiB CPU s/GiB: gateway median {Summary.Of(cats.Select(c => c.Gateway.CpuSeconds))}, nginx median {Summary.Of(cats.Select(c => c.Nginx.CpuSeconds))}, bare YARP median {Summary.Of(cats.Select(c => c.Bare.CpuSeconds))}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Gateway VmRSS before the 1 GiB cats: {rssBefore / 1024.0:0.0} MiB; highest sampled during them: {cats.Max(c => c.Gateway.MaxRssKiB) / 1024.0:0.0} MiB; VmHWM after them: {hwm / 1024.0:0.0} MiB"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// One round per side: gateway, nginx, bare YARP in even turns, the reverse in odd ones, so that a drift in the
    /// machine's load favours no side and nginx sits next to each .NET side equally often.
    /// </summary>
    private static async Task<Turn<T>> TakeTurnsAsync<T>(int turn, Func<ExternalProcess, Task<T>> measure, ExternalProcess gateway, ExternalProcess nginx, ExternalProcess bare)
    {
        if (turn % 2 == 0)
        {
            var g = await measure(gateway);
            var n = await measure(nginx);
            return new Turn<T>(g, n, await measure(bare));
        }

        var b = await measure(bare);
        var n2 = await measure(nginx);
        return new Turn<T>(await measure(gateway), n2, b);
    }

    /// <summary>(nginx + upstream) / (proxy + upstream) CPU per request.</summary>
    private static double PathQuotient(Rate nginx, Rate proxy) =>
        (nginx.ProxyMicros + nginx.UpstreamMicros) / (proxy.ProxyMicros + proxy.UpstreamMicros);

    /// <summary>
    /// Requests/s through <paramref name="proxy"/>, with the CPU microseconds per request it and the upstream spent, its
    /// context switches per request (each one a wait in the run queue of a busy machine) and, for the gateway, the bytes
    /// it allocated per request (its admin <c>/metrics</c>, <c>dotnet_gc_allocated_bytes_total</c>; the two scrapes add a few bytes per request).
    /// </summary>
    private static async Task<Rate> MeasureAsync(LoadGenerator load, ExternalProcess proxy, ExternalProcess? upstream, string path, HttpClient client)
    {
        var allocated = await proxy.AllocatedBytesAsync(client);
        var before = (Proxy: proxy.CpuSeconds(), Upstream: upstream?.CpuSeconds() ?? 0, Switches: proxy.ContextSwitches());
        var (requests, seconds) = await load.RunAsync(new Uri(proxy.BaseAddress, path), RequestWindow);
        var after = (Proxy: proxy.CpuSeconds(), Upstream: upstream?.CpuSeconds() ?? 0, Switches: proxy.ContextSwitches());
        var requestCount = Math.Max(requests, 1);
        return new Rate(
            requests / seconds,
            (after.Proxy - before.Proxy) * 1e6 / requestCount,
            (after.Upstream - before.Upstream) * 1e6 / requestCount,
            (double)(after.Switches - before.Switches) / requestCount,
            (await proxy.AllocatedBytesAsync(client) - allocated) / requestCount);
    }

    /// <summary>Adds 1 KiB as one raw block (CIDv1) through the emulator's REST <c>/add</c>; returns its CID.</summary>
    private static async Task<string> AddBlockAsync(HttpClient client, Uri cluster)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new ByteArrayContent(FakeIpfsDaemon.Block), "file", "block.bin");
        using var response = await client.PostAsync(new Uri(cluster, "add?cid-version=1&raw-leaves=true"), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, text);
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return System.Text.Json.JsonDocument.Parse(last).RootElement.GetProperty("cid").GetString()!;
    }

    private sealed record Rate(double PerSecond, double ProxyMicros, double UpstreamMicros, double Switches, double AllocatedBytes);

    private sealed record Cat(double MBps, double CpuSeconds, long MaxRssKiB);

    /// <summary>One figure of each side, measured one after the other.</summary>
    private sealed record Turn<T>(T Gateway, T Nginx, T Bare);

    /// <summary>Median and range of a few figures, printed as <c>0.85 (0.71–0.97, n=10)</c>.</summary>
    private sealed record Summary(double Median, double Min, double Max, int Count)
    {
        public static Summary Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            var middle = sorted.Length / 2;
            var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
            return new Summary(median, sorted[0], sorted[^1], sorted.Length);
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Median:0.00} ({Min:0.00}–{Max:0.00}, n={Count})");
    }

    /// <summary>Reads <paramref name="size"/> bytes of <c>cat</c> through <paramref name="proxy"/>; samples its VmRSS when it is the gateway.</summary>
    private static async Task<Cat> CatAsync(HttpClient client, ExternalProcess proxy, long size)
    {
        var baseAddress = proxy.BaseAddress;
        var sampled = proxy.IsGateway ? proxy : null;
        var cpuBefore = proxy.CpuSeconds();
        using var sampling = new CancellationTokenSource();
        long maxRss = 0;
        var sampler = sampled is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                maxRss = Math.Max(maxRss, sampled.Status("VmRSS"));
                try
                {
                    await Task.Delay(50, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync(new Uri(baseAddress, $"api/v0/cat?arg=size-{size}"), null, CancellationToken.None);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        if (total != size)
        {
            Assert.Fail($"cat via {baseAddress}: {total} bytes, expected {size}");
        }

        var cpu = (proxy.CpuSeconds() - cpuBefore) * (1L << 30) / size;
        return new Cat(size / 1e6 / watch.Elapsed.TotalSeconds, cpu, maxRss);
    }

    /// <summary>A child process (the gateway, the emulator, nginx or the bare YARP forwarder) with the address it serves on; killed with its children on dispose.</summary>
    private sealed class ExternalProcess(Process process, Uri baseAddress, Uri? ipfsAddress = null, Uri? adminAddress = null, bool isGateway = false) : IDisposable
    {
        public Uri BaseAddress { get; } = baseAddress;

        public bool IsGateway => isGateway;

        /// <summary>The .NET proxies' <c>dotnet_gc_allocated_bytes_total</c>; 0 for other processes.</summary>
        public async Task<double> AllocatedBytesAsync(HttpClient client)
        {
            if (adminAddress is null)
            {
                return 0;
            }

            var text = await client.GetStringAsync(new Uri(adminAddress, "metrics"));
            var line = text.Split('\n').Single(l => l.StartsWith("dotnet_gc_allocated_bytes_total ", StringComparison.Ordinal));
            return double.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        }

        /// <summary>Voluntary and involuntary context switches of every thread of the process and of its direct children (nginx's worker).</summary>
        public long ContextSwitches() => Pids().Sum(pid => Directory.EnumerateDirectories($"/proc/{pid}/task").Sum(task =>
        {
            try
            {
                return File.ReadLines(Path.Combine(task, "status"))
                    .Where(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    .Sum(l => long.Parse(l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // A thread that ended between the listing and the read.
                return 0L;
            }
        }));

        private IEnumerable<string> Pids() =>
            new[] { process.Id.ToString(CultureInfo.InvariantCulture) }.Concat(File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries));

        /// <summary>The emulator's IPFS facet.</summary>
        public Uri? IpfsAddress { get; } = ipfsAddress;

        /// <summary>A <c>/proc/&lt;pid&gt;/status</c> figure in KiB (VmRSS, VmHWM).</summary>
        public long Status(string key)
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }

        /// <summary>User + system CPU time of the process and its direct children (nginx's worker), from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
        public double CpuSeconds()
        {
            return Pids().Sum(pid =>
            {
                // Fields after the ")" that ends the command name: state is [0], utime [11], stime [12] (clock ticks, 100/s).
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            });
        }

        /// <summary>The emulator (one cluster, REST and IPFS facet) as its own process.</summary>
        public static async Task<ExternalProcess> StartEmulatorAsync(string folder)
        {
            var rest = LoopbackPorts.Free();
            var ipfs = LoopbackPorts.Free();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), "emulate",
                "--listen", $"127.0.0.1:{rest}", "--ipfs-listen", $"127.0.0.1:{ipfs}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator");
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var started = new ExternalProcess(process, new Uri($"http://127.0.0.1:{rest}/"), new Uri($"http://127.0.0.1:{ipfs}/"));
            await started.WaitUntilAsync(new Uri($"http://127.0.0.1:{rest}/id"), stderr);
            return started;
        }

        /// <summary>A gateway as shipped whose one undercluster is <paramref name="cluster"/> with <paramref name="ipfsApi"/> as its daemon.</summary>
        public static async Task<ExternalProcess> StartGatewayAsync(string folder, string name, Uri cluster, Uri ipfsApi)
        {
            var listen = LoopbackPorts.Free();
            var admin = LoopbackPorts.Free();
            var config = Path.Combine(folder, $"gateway-{name}.yaml");
            await File.WriteAllTextAsync(config, $"""
                listen: "127.0.0.1:{listen}"
                admin_listen: "127.0.0.1:{admin}"
                identity_file: identity-{name}.key
                underclusters:
                  - name: lab-0
                    url: "{cluster}"
                    ipfs_api: "{ipfsApi}"
                    timeout: 30s
                kubo_rpc:
                  forward:
                    commands: [cat, block/get]
                """);
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), "run", "--config", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway");
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var started = new ExternalProcess(process, new Uri($"http://127.0.0.1:{listen}/"), adminAddress: new Uri($"http://127.0.0.1:{admin}/"), isGateway: true);
            await started.WaitUntilAsync(new Uri($"http://127.0.0.1:{admin}/health"), stderr);
            return started;
        }

        /// <summary>
        /// <see cref="BareYarpForwarder"/> in front of <paramref name="upstream"/>, started from this assembly with the
        /// gateway's runtime settings (workstation GC, <c>Gateway/Gateway.csproj</c>) in the environment and the thread
        /// pool's default spinning, as the gateway, so that the difference to the gateway is code, not runtime configuration.
        /// </summary>
        public static async Task<ExternalProcess> StartBareYarpAsync(string folder, Uri upstream)
        {
            var listen = LoopbackPorts.Free();
            var admin = LoopbackPorts.Free();
            var start = new ProcessStartInfo("dotnet", [typeof(BareYarpForwarder).Assembly.Location, BareYarpForwarder.Command,
                $"127.0.0.1:{listen}", upstream.ToString(), $"127.0.0.1:{admin}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder,
            };
            start.Environment["DOTNET_gcServer"] = "0";
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the bare YARP forwarder");
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var started = new ExternalProcess(process, new Uri($"http://127.0.0.1:{listen}/"), adminAddress: new Uri($"http://127.0.0.1:{admin}/"));
            await started.WaitUntilAsync(new Uri($"http://127.0.0.1:{admin}/health"), stderr);
            return started;
        }

        /// <summary>
        /// nginx as an operator would put it in front of a Kubo API: one worker, HTTP/1.1 with kept-alive connections to
        /// the upstream (<c>keepalive</c>, <c>Connection ""</c>), no access log; nginx's default response buffering for
        /// short answers (<c>block/get</c>), <c>proxy_buffering off</c> for <c>cat</c>, whose stream must flow as it comes
        /// (with buffering nginx may spool a large answer to disk); request bodies streamed (<c>proxy_request_buffering off</c>).
        /// </summary>
        public static async Task<ExternalProcess> StartNginxAsync(string nginx, string folder, Uri upstream, Uri catDaemon)
        {
            var port = LoopbackPorts.Free();
            var conf = Path.Combine(folder, "nginx.conf");
            var temp = Path.Combine(folder, "nginx-temp");
            Directory.CreateDirectory(temp);
            await File.WriteAllTextAsync(conf, $$"""
                daemon off;
                worker_processes 1;
                error_log stderr;
                pid {{folder}}/nginx.pid;
                events {}
                http {
                  access_log off;
                  client_body_temp_path {{temp}}/body;
                  proxy_temp_path {{temp}}/proxy;
                  fastcgi_temp_path {{temp}}/fastcgi;
                  uwsgi_temp_path {{temp}}/uwsgi;
                  scgi_temp_path {{temp}}/scgi;
                  upstream daemon { server {{upstream.Authority}}; keepalive 32; }
                  upstream catdaemon { server {{catDaemon.Authority}}; keepalive 32; }
                  server {
                    listen 127.0.0.1:{{port}};
                    location /api/v0/cat {
                      proxy_pass http://catdaemon;
                      proxy_buffering off;
                      proxy_request_buffering off;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                    location / {
                      proxy_pass http://daemon;
                      proxy_request_buffering off;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                }
                """);
            var start = new ProcessStartInfo(nginx, ["-p", folder, "-e", "stderr", "-c", conf])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start nginx");
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var started = new ExternalProcess(process, new Uri($"http://127.0.0.1:{port}/"));
            await started.WaitUntilAsync(new Uri(started.BaseAddress, "api/v0/version"), stderr);
            return started;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }


        private async Task WaitUntilAsync(Uri probe, Task<string> stderr)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (process.HasExited)
                {
                    Assert.Fail($"{probe.Authority} exited: {await stderr}");
                }

                try
                {
                    using var response = probe.AbsolutePath is "/health" or "/id"
                        ? await http.GetAsync(probe)
                        : await http.PostAsync(probe, null);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or too slow to answer on a busy machine.
                }

                await Task.Delay(100);
            }

            Dispose();
            Assert.Fail($"{probe} did not answer within 30 s");
        }
    }
}
