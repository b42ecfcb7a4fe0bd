using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// The same load for every side: <c>wrk</c> (POST, <see cref="Threads"/> threads, <see cref="Connections"/> connections)
/// when installed, else this process's HttpClient with as many concurrent loops. Any answer but 200 fails the benchmark.
/// </summary>
internal sealed class LoadGenerator(string? wrk, string script, HttpClient client, string? authorization)
{
    public const int Threads = 2;
    public const int Connections = 16;

    public string Name => wrk is null ? "HttpClient in the test process (wrk not installed: apt-get install wrk)" : "wrk";

    /// <param name="folder">Where wrk's request script is written.</param>
    /// <param name="client">The in-process fallback's client, and the one that fetches a sample answer when wrk saw a failure.</param>
    /// <param name="authorization">An <c>Authorization</c> header value for wrk; the in-process fallback sends <paramref name="client"/>'s own headers.</param>
    public static LoadGenerator Create(string folder, HttpClient client, string? authorization = null)
    {
        var script = Path.Combine(folder, "post.lua");
        File.WriteAllText(script, "wrk.method = \"POST\"\n");
        return new LoadGenerator(File.Exists("/usr/bin/wrk") ? "/usr/bin/wrk" : null, script, client, authorization);
    }

    public async Task<(long Requests, double Seconds)> RunAsync(Uri uri, TimeSpan window)
    {
        if (wrk is null)
        {
            return await RunInProcessAsync(uri, window);
        }

        var start = new ProcessStartInfo(wrk, ["-t", Threads.ToString(CultureInfo.InvariantCulture), "-c", Connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{window.TotalSeconds:0}s", "-s", script, uri.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (authorization is not null)
        {
            // wrk does not verify the server's certificate, so https needs nothing more than the header.
            start.ArgumentList.Insert(0, "-H");
            start.ArgumentList.Insert(1, "Authorization: " + authorization);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        // "  12345 requests in 5.00s, 14.20MB read"; "Non-2xx or 3xx responses: N" when any failed.
        if (process.ExitCode != 0 || stdout.Contains("Non-2xx", StringComparison.Ordinal))
        {
            using var sample = await client.PostAsync(uri, null);
            Assert.Fail($"wrk {uri}: exit {process.ExitCode}\n{stdout}\n{await process.StandardError.ReadToEndAsync()}\none request: {(int)sample.StatusCode} {await sample.Content.ReadAsStringAsync()}");
        }

        var line = stdout.Split('\n').Single(l => l.Contains(" requests in ", StringComparison.Ordinal)).Trim().Split(' ');
        return (long.Parse(line[0], CultureInfo.InvariantCulture), double.Parse(line[3].TrimEnd(',', 's'), CultureInfo.InvariantCulture));
    }

    private async Task<(long Requests, double Seconds)> RunInProcessAsync(Uri uri, TimeSpan window)
    {
        long count = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < window)
            {
                using var response = await client.PostAsync(uri, null, CancellationToken.None);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Assert.Fail($"{uri}: {response.StatusCode}, {bytes.Length} bytes");
                }

                Interlocked.Increment(ref count);
            }
        })));
        return (count, watch.Elapsed.TotalSeconds);
    }
}
