using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>
/// Forwarding through the gateway versus nginx, same upstream, one run; printed, never asserted (run in Release):
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~ForwardingBenchmark"</c>.
/// The upstream is <see cref="FakeIpfsDaemon"/> in this process (<c>cat?arg=size-N</c> generates its bytes, so 1 GiB
/// streams without being stored); the gateway runs in its own process (<c>composite-gateway.dll run --config</c>), so
/// its VmRSS/VmHWM are the gateway's alone; nginx (<c>/usr/sbin/nginx</c>) is a child process with a temporary
/// configuration: one worker, no buffering either way, HTTP/1.1 kept-alive connections to the upstream.
/// </summary>
[Explicit("benchmark: prints figures, takes about a minute")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class ForwardingBenchmark
{
    private const long CatBytes = 1L << 30;
    private const int Concurrency = 16;
    private static readonly TimeSpan RequestWindow = TimeSpan.FromSeconds(5);

    [Test]
    public async Task CatOneGiB_And_BlockGetRate_GatewayVersusNginx()
    {
        const string Nginx = "/usr/sbin/nginx";
        if (!File.Exists(Nginx))
        {
            Assert.Ignore("NOTICE: nginx not installed at " + Nginx + ", benchmark skipped");
        }

        await using var daemon = await FakeIpfsDaemon.StartAsync();
        await using var cluster = await EmulatedCluster.StartAsync(
            new EmulatedClusterOptions { Name = "lab-0", Listen = "127.0.0.1:0" }, TimeProvider.System, CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("cg-fwd-bench-").FullName;
        try
        {
            using var gateway = await ExternalProcess.StartGatewayAsync(folder, cluster.BaseAddress, daemon.Url);
            using var nginx = await ExternalProcess.StartNginxAsync(Nginx, folder, daemon.Url);
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(5) };

            // Warm-up: JIT, connection pools, nginx's upstream connections.
            await CatAsync(client, gateway.BaseAddress, 64L << 20, null);
            await CatAsync(client, nginx.BaseAddress, 64L << 20, null);
            await BlockGetRateAsync(client, gateway.BaseAddress, TimeSpan.FromSeconds(1));
            await BlockGetRateAsync(client, nginx.BaseAddress, TimeSpan.FromSeconds(1));

            var rssBefore = gateway.Status("VmRSS");
            var cpu = (Gateway: gateway.CpuSeconds(), Nginx: nginx.CpuSeconds());
            var viaGateway = await CatAsync(client, gateway.BaseAddress, CatBytes, gateway);
            var viaNginx = await CatAsync(client, nginx.BaseAddress, CatBytes, null);
            var viaGateway2 = await CatAsync(client, gateway.BaseAddress, CatBytes, gateway);
            var viaNginx2 = await CatAsync(client, nginx.BaseAddress, CatBytes, null);
            var catCpu = (Gateway: (gateway.CpuSeconds() - cpu.Gateway) / 2, Nginx: (nginx.CpuSeconds() - cpu.Nginx) / 2);
            var hwm = gateway.Status("VmHWM");
            cpu = (gateway.CpuSeconds(), nginx.CpuSeconds());
            var rateGateway = await BlockGetRateAsync(client, gateway.BaseAddress, RequestWindow);
            var gatewayRequestCpu = (gateway.CpuSeconds() - cpu.Gateway) / (rateGateway.Rate * rateGateway.Seconds);
            var rateNginx = await BlockGetRateAsync(client, nginx.BaseAddress, RequestWindow);
            var nginxRequestCpu = (nginx.CpuSeconds() - cpu.Nginx) / (rateNginx.Rate * rateNginx.Seconds);
            cpu = (gateway.CpuSeconds(), nginx.CpuSeconds());
            var rateVersion = await BlockGetRateAsync(client, gateway.BaseAddress, RequestWindow, "api/v0/version", 0);
            var versionCpu = (gateway.CpuSeconds() - cpu.Gateway) / (rateVersion.Rate * rateVersion.Seconds);

            var catGateway = Math.Max(viaGateway.MBps, viaGateway2.MBps);
            var catNginx = Math.Max(viaNginx.MBps, viaNginx2.MBps);
            var maxRss = Math.Max(viaGateway.MaxRssKiB, viaGateway2.MaxRssKiB);
            var output = TestContext.Out;
            output.WriteLine($"Forwarding benchmark ({Environment.ProcessorCount} cores; upstream = daemon double in the test process, gateway out of process, nginx 1 worker)");
            output.WriteLine("| Measure | via gateway | via nginx | gateway / nginx |");
            output.WriteLine("|---|---:|---:|---:|");
            output.WriteLine(Row("`cat` 1 GiB, MB/s (best of 2)", catGateway, catNginx, "0"));
            output.WriteLine(Row("`cat` 1 GiB, CPU seconds of the proxy process(es) per GiB", catCpu.Gateway, catCpu.Nginx, "0.00"));
            output.WriteLine(Row($"`block/get` 1 KiB, requests/s (concurrency {Concurrency}, {RequestWindow.TotalSeconds:0} s)", rateGateway.Rate, rateNginx.Rate, "0"));
            output.WriteLine(Row("`block/get`, CPU microseconds of the proxy process(es) per request", gatewayRequestCpu * 1e6, nginxRequestCpu * 1e6, "0"));
            output.WriteLine($"Without the upstream hop, the gateway answering `version` itself: {rateVersion.Rate:0} requests/s, {versionCpu * 1e6:0} CPU microseconds per request (Kestrel and the gateway's middleware alone)");
            output.WriteLine($"Gateway VmRSS before the 1 GiB cats: {rssBefore / 1024.0:0.0} MiB; highest sampled during them: {maxRss / 1024.0:0.0} MiB; VmHWM after them: {hwm / 1024.0:0.0} MiB");
            output.WriteLine($"Runs: gateway {viaGateway.MBps:0} / {viaGateway2.MBps:0} MB/s, nginx {viaNginx.MBps:0} / {viaNginx2.MBps:0} MB/s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Row(string name, double gateway, double nginx, string format) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {gateway.ToString(format, CultureInfo.InvariantCulture)} | {nginx.ToString(format, CultureInfo.InvariantCulture)} | {gateway / nginx:0.00} |");

    private static async Task<(double MBps, long MaxRssKiB)> CatAsync(HttpClient client, Uri baseAddress, long size, ExternalProcess? sampled)
    {
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

        return (size / 1e6 / watch.Elapsed.TotalSeconds, maxRss);
    }

    private static async Task<(double Rate, double Seconds)> BlockGetRateAsync(
        HttpClient client, Uri baseAddress, TimeSpan window, string path = "api/v0/block/get/bafkqaaa", int? expectedLength = null)
    {
        var uri = new Uri(baseAddress, path);
        var length = expectedLength ?? FakeIpfsDaemon.Block.Length;
        long count = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < window)
            {
                using var response = await client.PostAsync(uri, null, CancellationToken.None);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK || (length > 0 && bytes.Length != length))
                {
                    Assert.Fail($"block/get via {baseAddress}: {response.StatusCode}, {bytes.Length} bytes");
                }

                Interlocked.Increment(ref count);
            }
        })));
        return (count / watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds);
    }

    /// <summary>A child process (the gateway or nginx) with the address it serves on; killed with its children on dispose.</summary>
    private sealed class ExternalProcess(Process process, Uri baseAddress) : IDisposable
    {
        public Uri BaseAddress { get; } = baseAddress;

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
            var children = File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new[] { process.Id.ToString(CultureInfo.InvariantCulture) }.Concat(children).Sum(pid =>
            {
                // Fields after the ")" that ends the command name: state is [0], utime [11], stime [12] (clock ticks, 100/s).
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            });
        }

        public static async Task<ExternalProcess> StartGatewayAsync(string folder, Uri cluster, Uri daemon)
        {
            var listen = FreePort();
            var admin = FreePort();
            var config = Path.Combine(folder, "gateway.yaml");
            await File.WriteAllTextAsync(config, $"""
                listen: "127.0.0.1:{listen}"
                admin_listen: "127.0.0.1:{admin}"
                identity_file: identity.key
                underclusters:
                  - name: lab-0
                    url: "{cluster}"
                    ipfs_api: "{daemon}"
                    timeout: 30s
                kubo_rpc:
                  forward:
                    commands: [cat, block/get]
                """);
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), "run", "--config", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway");
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var started = new ExternalProcess(process, new Uri($"http://127.0.0.1:{listen}/"));
            await started.WaitUntilAsync(new Uri($"http://127.0.0.1:{admin}/health"), stderr);
            return started;
        }

        public static async Task<ExternalProcess> StartNginxAsync(string nginx, string folder, Uri upstream)
        {
            var port = FreePort();
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
                  server {
                    listen 127.0.0.1:{{port}};
                    location / {
                      proxy_pass http://daemon;
                      proxy_buffering off;
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
            await started.WaitUntilAsync(new Uri(started.BaseAddress, "api/v0/block/get/bafkqaaa"), stderr);
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

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        private async Task WaitUntilAsync(Uri probe, Task<string> stderr)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (process.HasExited)
                {
                    Assert.Fail($"{probe.Authority} exited: {await stderr}");
                }

                try
                {
                    using var response = probe.AbsolutePath.EndsWith("/health", StringComparison.Ordinal)
                        ? await http.GetAsync(probe)
                        : await http.PostAsync(probe, null);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            Dispose();
            Assert.Fail($"{probe} did not answer within 30 s");
        }
    }
}
