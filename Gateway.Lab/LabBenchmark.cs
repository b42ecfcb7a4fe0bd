using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace CompositeGateway.Lab;

/// <summary>
/// <c>emulate --bench N</c>: seeds N pins into an emulated cluster on loopback, then streams
/// <c>GET /pins</c> and <c>GET /allocations</c> through a real HTTP client, printing items/s and the
/// process's resident memory. Figures only, no thresholds.
/// </summary>
internal static class LabBenchmark
{
    public static async Task<int> RunAsync(EmulatedClusterOptions options, int pins, TextWriter output, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        await using var cluster = await EmulatedCluster.StartAsync(options, time, cancellationToken: cancellationToken);
        await output.WriteLineAsync($"bench: cluster {cluster.Name} on {cluster.BaseAddress} ({cluster.Peers.Count} peers), {pins} pins");

        var start = time.GetTimestamp();
        cluster.Seed(pins);
        var seeded = time.GetElapsedTime(start);
        GC.Collect();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"seed: {pins} pins in {seeded.TotalSeconds:F2} s ({pins / seeded.TotalSeconds:F0} pins/s); RSS {Rss()} MiB, managed heap {GC.GetTotalMemory(false) >> 20} MiB"));

        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        foreach (var path in new[] { "pins", "allocations", "pins?local=true" })
        {
            await StreamAsync(http, path, output, time, cancellationToken);
        }

        return 0;
    }

    private static async Task StreamAsync(HttpClient http, string path, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long items = 0, bytes = 0, peakRss = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
                var before = items;
                items += buffer.AsSpan(0, read).Count((byte)'\n');
                if (items / 100_000 != before / 100_000)
                {
                    peakRss = Math.Max(peakRss, Rss());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var elapsed = time.GetElapsedTime(start);
        var trailer = response.TrailingHeaders.TryGetValues(NdjsonStream.TrailerName, out var values) ? string.Join(",", values) : "(none)";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"GET /{path}: {(int)response.StatusCode}, {items} items, {bytes >> 20} MiB in {elapsed.TotalSeconds:F2} s = {items / elapsed.TotalSeconds:F0} items/s; peak RSS {Math.Max(peakRss, Rss())} MiB; X-Stream-Error=\"{trailer}\""));
    }

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 >> 20;
    }
}
