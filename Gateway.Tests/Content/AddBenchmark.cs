using CompositeGateway.Lab.Connector;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Functional;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// <c>add</c> through the gateway versus <c>POST /add</c> straight to the emulator, same bytes, in one run; and the
/// gateway process's peak RSS per upload size (VmHWM, reset through <c>/proc/self/clear_refs</c> before each
/// add). The emulator runs in its own process (it keeps block bytes in memory), so this process's RSS is the
/// gateway's plus a client that generates the upload on the fly. Printed, never asserted:
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~Content.AddBenchmark"</c>.
/// </summary>
[Explicit("benchmarks: print figures, take a while")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class AddBenchmark
{
    private const string Boundary = "cg-bench-boundary";

    [Test]
    public async Task Add_ThroughGatewayVersusEmulatorDirect_ThroughputAndPeakRss()
    {
        var folder = Directory.CreateTempSubdirectory("cg-bench-add-").FullName;
        using var emulator = await Functional.Benchmarks.GatewayBenchmarks.ExternalEmulator.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(
            new GatewayOptions
            {
                Listen = "127.0.0.1:0",
                AdminListen = "127.0.0.1:0",
                IdentityFile = Path.Combine(folder, "identity.key"),
                Underclusters = [new UnderclusterOptions { Name = "lab-0", Url = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }],
            },
            new GoIpfsConnectorOptions(),
            CancellationToken.None);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            foreach (var mib in new[] { 64, 256, 1024 })
            {
                var bytes = (long)mib << 20;
                var seed = mib;
                var direct = await TimeAsync(http, new Uri(emulator.BaseAddress + "add?stream-channels=true&no-pin=true"), bytes, seed + 1);
                ResetPeakRss();
                var through = await TimeAsync(http, new Uri(gateway.KuboRpcUrl + "api/v0/add?pin=false"), bytes, seed + 2);
                var peak = PeakRssBytes();
                TestContext.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"add {mib} MiB: gateway {Rate(bytes, through):0.0} MB/s, emulator direct {Rate(bytes, direct):0.0} MB/s, ratio {direct.TotalSeconds / through.TotalSeconds:0.00}; gateway process peak RSS {peak / 1e6:0} MB"));
                await emulator.CollectGarbageAsync();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Rate(long bytes, TimeSpan elapsed) => bytes / 1e6 / elapsed.TotalSeconds;

    private static async Task<TimeSpan> TimeAsync(HttpClient http, Uri url, long bytes, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsync(url, new GeneratedUpload(bytes, seed));
        var text = await response.Content.ReadAsStringAsync();
        clock.Stop();
        if (!response.IsSuccessStatusCode || !(text.Contains("\"Hash\"", StringComparison.Ordinal) || text.Contains("\"cid\"", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"add to {url} failed: {(int)response.StatusCode} {text[..Math.Min(text.Length, 500)]}");
        }

        return clock.Elapsed;
    }

    private static void ResetPeakRss() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long PeakRssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    /// <summary>A one-file multipart upload of pseudo-random bytes produced while it is sent (nothing held).</summary>
    private sealed class GeneratedUpload : HttpContent
    {
        private readonly long _bytes;
        private readonly int _seed;

        public GeneratedUpload(long bytes, int seed)
        {
            _bytes = bytes;
            _seed = seed;
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            var random = new Random(_seed);
            var chunk = new byte[256 * 1024];
            for (long sent = 0; sent < _bytes; sent += chunk.Length)
            {
                random.NextBytes(chunk);
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _bytes - sent)));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
