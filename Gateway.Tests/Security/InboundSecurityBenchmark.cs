using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Security;

/// <summary>
/// What inbound security costs, printed, never asserted (run in Release):
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~InboundSecurityBenchmark" --logger "console;verbosity=detailed"</c>.
/// <para><c>pin/ls?arg</c> requests/s through a gateway with bearer authorization and TLS ÷ the same through a plain
/// one, both in front of the same emulator, in this process, one run: 10 s of warm-up each, then 8 pairs of 3 s rounds in
/// ABBA order at 16 concurrent kept-alive connections, the median of the pairs' ratios printed with their range (TLS handshakes
/// happen once per connection, as for a real client). Measured twice: with HttpClient in this process, whose own TLS work
/// shares the gateway's runtime, and with <c>wrk</c> (a separate C program, as a client on another machine; skipped when not installed).</para>
/// <para>A flood of 10,000 requests with a wrong bearer token: the process's VmRSS before and after, and how many
/// refusal lines the gateway logged (<see cref="CompositeGateway.Security.RefusalLog"/> allows 10 per 10 s, then one summary).</para>
/// </summary>
[Explicit("benchmark: prints figures, takes about two minutes")]
[Category("Benchmarks")]
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public sealed class InboundSecurityBenchmark
{
    private const int Concurrency = 16;
    private const int Pairs = 8;
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);

    [Test]
    public async Task PinLsArg_BearerAndTlsVersusPlain_AndBadCredentialFlood()
    {
        using var pki = await InboundSecurityTests.TestPki.CreateAsync();
        await pki.IssueAsync("bench", pki.CertFile, pki.KeyFile);
        var token = "bench-" + Guid.NewGuid().ToString("N");
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0 });
        var plain = await environment.AddGatewayAsync();
        var secured = await environment.AddGatewayAsync(o => o with
        {
            KuboRpc = InboundSecurityTests.WithAuthorizations(token, "unused"),
            Tls = new TlsOptions { CertFile = pki.CertFile, KeyFile = pki.KeyFile },
        });
        var cid = TestEnvironment.NewCid();
        Assert.That((await plain.Go.PinAsync(cid)).Error, Is.Null);

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pki.CaFile);
        var ca = authorities[0];
        using var plainClient = Client(null, null);
        using var securedClient = Client(ca, "Bearer " + token);
        // Each gateway lists only the pins it owns (docs/design/ownership.md): pin through the secured one too.
        using (var pin = await securedClient.PostAsync(new Uri(secured.Host.KuboRpcUrl, $"api/v0/pin/add?arg={cid}"), null))
        {
            Assert.That(pin.StatusCode, Is.EqualTo(HttpStatusCode.OK), await pin.Content.ReadAsStringAsync());
        }

        var plainUrl = new Uri(plain.Host.KuboRpcUrl, $"api/v0/pin/ls?arg={cid}&type=recursive");
        var securedUrl = new Uri(secured.Host.KuboRpcUrl, $"api/v0/pin/ls?arg={cid}&type=recursive");

        // Warmed until the JIT's tiering has settled (rates still climbed after 2 s), then pairs in ABBA order so
        // that a drift of the shared machine falls on both sides; the median of the pairs' ratios is the figure.
        await RateAsync(plainClient, plainUrl, Warmup);
        await RateAsync(securedClient, securedUrl, Warmup);
        await PairsAsync("HttpClient in this process", () => RateAsync(plainClient, plainUrl, Round), () => RateAsync(securedClient, securedUrl, Round));

        // The same with wrk, a separate C program (OpenSSL): the client's own TLS and HTTP work no longer runs on the
        // gateway's runtime, as with a real client on another machine; both still share this machine's two cores.
        var folder = Directory.CreateTempSubdirectory("inbound-bench-");
        try
        {
            var plainLoad = LoadGenerator.Create(folder.FullName, plainClient);
            var securedLoad = LoadGenerator.Create(folder.FullName, securedClient, "Bearer " + token);
            if (plainLoad.Name == "wrk")
            {
                await plainLoad.RunAsync(plainUrl, Round);
                await securedLoad.RunAsync(securedUrl, Round);
                await PairsAsync(
                    $"wrk, {LoadGenerator.Threads} threads, {LoadGenerator.Connections} connections",
                    async () => Rate(await plainLoad.RunAsync(plainUrl, Round)),
                    async () => Rate(await securedLoad.RunAsync(securedUrl, Round)));
            }
            else
            {
                TestContext.Out.WriteLine($"wrk: not measured ({plainLoad.Name})");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        using var badClient = Client(ca, "Bearer wrong-token");
        GC.Collect();
        var rssBefore = Rss();
        var refused = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < 10_000)
            {
                using var response = await badClient.PostAsync(securedUrl, null);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        GC.Collect();
        var rssAfter = Rss();
        var lines = secured.Logs.Entries.Count(e => e.EventId.Id == 1700);
        var summaries = secured.Logs.Entries.Count(e => e.EventId.Id == 1701);
        TestContext.Out.WriteLine($"bad-credential flood: {refused} of 10000 refused 401; VmRSS {rssBefore / 1024} MiB before, {rssAfter / 1024} MiB after; refusal log lines {lines}, suppression summaries {summaries}");
    }

    private static async Task PairsAsync(string load, Func<Task<double>> plain, Func<Task<double>> secured)
    {
        var ratios = new List<double>();
        var (plainTotal, securedTotal) = (0.0, 0.0);
        for (var pair = 0; pair < Pairs; pair++)
        {
            var securedFirst = pair % 2 == 1;
            var s1 = securedFirst ? await secured() : 0;
            var p = await plain();
            var s = securedFirst ? s1 : await secured();
            ratios.Add(s / p);
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{load}, pair {pair + 1}: plain {p:F0} req/s, bearer+TLS {s:F0} req/s, ratio {s / p:F2}"));
            (plainTotal, securedTotal) = (plainTotal + p, securedTotal + s);
        }

        ratios.Sort();
        var median = (ratios[(Pairs - 1) / 2] + ratios[Pairs / 2]) / 2;
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pin/ls?arg ({load}): plain {plainTotal / Pairs:F0} req/s, bearer+TLS {securedTotal / Pairs:F0} req/s; ratio median {median:F2} (range {ratios[0]:F2}-{ratios[^1]:F2}), of totals {securedTotal / plainTotal:F2} (target >= 0.8)"));
    }

    private static double Rate((long Requests, double Seconds) run) => run.Requests / run.Seconds;

    private static HttpClient Client(X509Certificate2? ca, string? authorization)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Concurrency };
        if (ca is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                return certificate is X509Certificate2 leaf && chain.Build(leaf);
            };
        }

        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        return client;
    }

    private static async Task<double> RateAsync(HttpClient client, Uri url, TimeSpan duration)
    {
        var count = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                using var response = await client.PostAsync(url, null);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref count);
            }
        }));
        return count / watch.Elapsed.TotalSeconds;
    }

    private static long Rss() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
