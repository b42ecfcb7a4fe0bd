using System.Diagnostics;
using System.Runtime.Versioning;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional.Security;

/// <summary>
/// What outbound security costs (docs/security-outbound.md): <c>pin/ls?arg</c> requests per second through the gateway
/// with the undercluster over https with a client certificate and JWT bearer auth, divided by the same with plain
/// http and no auth. One run each, printed, never asserted:
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~OutboundSecurityBenchmark"</c>.
/// </summary>
[Explicit("benchmark: prints a figure")]
[Category("Benchmarks")]
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public sealed class OutboundSecurityBenchmark
{
    private const int Concurrency = 16;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(10);

    [Test]
    public async Task PinLsArg_HttpsMutualTlsJwtVersusPlainHttp_RequestsPerSecond()
    {
        using var pki = await TestCertificates.CreateAsync();
        var plain = await MeasureAsync(new EmulatedClusterOptions(), o => o);
        var secured = await MeasureAsync(
            new EmulatedClusterOptions
            {
                Tls = new LabTlsOptions { CertificateFile = pki.ServerCertificate, KeyFile = pki.ServerKey, ClientCaFile = pki.ClientCa },
                BasicAuth = new Dictionary<string, string> { ["gateway"] = "bench-password" },
                RequireBearer = true,
            },
            o => o with
            {
                Underclusters = [.. o.Underclusters.Select(u => u with
                {
                    Tls = new UnderclusterTlsOptions { CaFile = pki.ServerCa, ClientCertificateFile = pki.ClientCertificate, ClientKeyFile = pki.ClientKey },
                    Auth = new ClusterAuthOptions { Mode = ClusterAuthMode.Jwt, Username = "gateway", Password = "bench-password", PasswordSource = "test" },
                })],
            });

        TestContext.Out.WriteLine($"pin/ls?arg, {Concurrency} concurrent Go-peer requests, {Measured.TotalSeconds:0} s after {Warmup.TotalSeconds:0} s warm-up, one run each:");
        TestContext.Out.WriteLine($"  plain http, no auth:               {plain:N0} req/s");
        TestContext.Out.WriteLine($"  https + client certificate + JWT:  {secured:N0} req/s");
        TestContext.Out.WriteLine($"  ratio secured / plain:             {secured / plain:0.00}");
    }

    private static async Task<double> MeasureAsync(EmulatedClusterOptions cluster, Func<GatewayOptions, GatewayOptions> configure)
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0, Cluster = cluster, PinPath = new PinPathOptions() });
        var gateway = await environment.AddGatewayAsync(configure);
        var first = environment.Cluster.Seed(1000, metadata: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [gateway.OwnerKey] = "2024-01-01T00:00:00Z",
            [gateway.Options.PinPath.MetadataPrefix + "created"] = "true",
        });
        var cids = Enumerable.Range(0, 1000).Select(i => LabCids.Synthetic(first + i)).ToList();

        await RunAsync(gateway.Go, cids, Warmup);
        var count = await RunAsync(gateway.Go, cids, Measured);
        return count / Measured.TotalSeconds;
    }

    private static async Task<long> RunAsync(GoIpfsConnector go, IReadOnlyList<string> cids, TimeSpan duration)
    {
        long done = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
        {
            var i = worker;
            while (stopwatch.Elapsed < duration)
            {
                var answer = await go.PinLsCidAsync(cids[i++ % cids.Count]);
                if (answer.Status != IpfsPinStatus.Recursive)
                {
                    Assert.Fail($"{answer.Status} {answer.Error}");
                }

                Interlocked.Increment(ref done);
            }
        }));
        return done;
    }
}
