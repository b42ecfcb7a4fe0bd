using CompositeGateway.Lab.Connector;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Tests.KuboRpc;

namespace CompositeGateway.Tests.Functional;

/// <summary>What a <see cref="TestEnvironment"/> starts. Defaults are tuned for fast tests; every test overrides what it exercises.</summary>
internal sealed record TestEnvironmentOptions
{
    /// <summary>Emulated underclusters, named <c>lab-0</c>, <c>lab-1</c>, ….</summary>
    public int Clusters { get; init; } = 1;

    /// <summary>Options of every emulated cluster (name, listen and random seed are set per cluster).</summary>
    public EmulatedClusterOptions Cluster { get; init; } = new();

    /// <summary>Gateways started at once, each with its own identity (more can be added later with <see cref="TestEnvironment.AddGatewayAsync"/>).</summary>
    public int Gateways { get; init; } = 1;

    /// <summary><c>pin_path</c> of every gateway: short polls and grace periods.</summary>
    public PinPathOptions PinPath { get; init; } = TestEnvironment.FastPinPath;

    public KuboRpcOptions KuboRpc { get; init; } = new();

    /// <summary><c>underclusters[].timeout</c> of every gateway.</summary>
    public TimeSpan UnderclusterTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeouts of the replayed Go peer of each gateway.</summary>
    public GoIpfsConnectorOptions GoPeer { get; init; } = new();
}

/// <summary>
/// The functional tier's world (docs/development/style.md §14): 1..N emulated underclusters and 1..M real gateway processes
/// compositions (<see cref="CompositeGateway.Hosting.GatewayHost"/> on Kestrel, <c>listen</c> and <c>admin_listen</c> on
/// 127.0.0.1:0, options built in code, an identity file each in a temp folder), one replayed Go ipfs-cluster
/// peer per gateway. Everything is torn down by <see cref="DisposeAsync"/>; on a failed test the gateways'
/// warnings and errors are printed.
/// </summary>
internal sealed class TestEnvironment : IAsyncDisposable
{
    /// <summary>Short polls and grace periods so waits end within tens of milliseconds of the emulator's truth.</summary>
    public static readonly PinPathOptions FastPinPath = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(25),
        UnreachableAfter = TimeSpan.FromSeconds(2),
        UnpinRecheckDelay = TimeSpan.Zero,
        WaitLimit = TimeSpan.FromSeconds(60),
        AddressesCache = TimeSpan.FromSeconds(1),
    };

    private static long _nextCid;
    private readonly List<GatewayUnderTest> _gateways = [];
    private readonly string _folder;

    private TestEnvironment(TestEnvironmentOptions options, IReadOnlyList<EmulatedCluster> clusters, string folder)
    {
        Options = options;
        Clusters = clusters;
        _folder = folder;
    }

    public TestEnvironmentOptions Options { get; }

    public IReadOnlyList<EmulatedCluster> Clusters { get; }

    /// <summary>The first (often the only) undercluster.</summary>
    public EmulatedCluster Cluster => Clusters[0];

    public IReadOnlyList<GatewayUnderTest> Gateways => _gateways;

    /// <summary>The first gateway.</summary>
    public GatewayUnderTest Gateway => _gateways[0];

    public static async Task<TestEnvironment> StartAsync(TestEnvironmentOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestEnvironmentOptions();
        var folder = Path.Combine(Path.GetTempPath(), "cg-functional-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var clusters = new List<EmulatedCluster>();
        TestEnvironment? environment = null;
        try
        {
            for (var i = 0; i < options.Clusters; i++)
            {
                clusters.Add(await EmulatedCluster.StartAsync(
                    options.Cluster with { Name = $"lab-{i}", Listen = "127.0.0.1:0", RandomSeed = options.Cluster.RandomSeed ?? 100 + i },
                    TimeProvider.System,
                    cancellationToken));
            }

            environment = new TestEnvironment(options, clusters, folder);
            for (var i = 0; i < options.Gateways; i++)
            {
                await environment.AddGatewayAsync(cancellationToken: cancellationToken);
            }

            return environment;
        }
        catch
        {
            if (environment is not null)
            {
                await environment.DisposeAsync();
            }
            else
            {
                foreach (var cluster in clusters)
                {
                    await cluster.DisposeAsync();
                }

                Directory.Delete(folder, recursive: true);
            }

            throw;
        }
    }

    /// <summary>
    /// A CID nobody used before in this test run. Cycles through CIDv0 (<c>Qm…</c>), CIDv1 dag-pb and CIDv1 raw,
    /// so listings are checked to return exactly the CID that was pinned (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.7).
    /// </summary>
    public static string NewCid()
    {
        var n = Interlocked.Increment(ref _nextCid);
        var seed = "functional-" + n;
        return (n % 3) switch
        {
            0 => TestCids.V0(seed).ToString(),
            1 => TestCids.V1DagPb(seed).ToString(),
            _ => TestCids.V1(seed).ToString(),
        };
    }

    public static List<string> NewCids(int count) => [.. Enumerable.Range(0, count).Select(_ => NewCid())];

    /// <summary>
    /// Starts one more gateway with a fresh identity, in front of every undercluster (or those named by
    /// <paramref name="clusterIndexes"/>). <paramref name="configure"/> adjusts the options built here.
    /// Until the pin path composes several underclusters, a gateway refuses more than one
    /// (<c>AddComposition</c>), so with <see cref="TestEnvironmentOptions.Clusters"/> &gt; 1 pass one index each.
    /// </summary>
    public async Task<GatewayUnderTest> AddGatewayAsync(
        Func<GatewayOptions, GatewayOptions>? configure = null,
        IReadOnlyList<int>? clusterIndexes = null,
        CancellationToken cancellationToken = default)
    {
        var index = _gateways.Count;
        var folder = Path.Combine(_folder, "gateway-" + index);
        Directory.CreateDirectory(folder);
        var options = new GatewayOptions
        {
            Listen = "127.0.0.1:0",
            AdminListen = "127.0.0.1:0",
            IdentityFile = Path.Combine(folder, "identity.key"),
            Underclusters = [.. (clusterIndexes ?? [.. Enumerable.Range(0, Clusters.Count)]).Select(i => new UnderclusterOptions
            {
                Name = Clusters[i].Name,
                Url = Clusters[i].BaseAddress,
                Timeout = Options.UnderclusterTimeout,
            })],
            PinPath = Options.PinPath,
            KuboRpc = Options.KuboRpc,
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        };
        options = configure?.Invoke(options) ?? options;
        var gateway = await GatewayUnderTest.StartAsync(options, Options.GoPeer, cancellationToken);
        _gateways.Add(gateway);
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed;
        foreach (var gateway in _gateways)
        {
            if (failed)
            {
                gateway.PrintLog(TestContext.Out);
            }

            await gateway.DisposeAsync();
        }

        foreach (var cluster in Clusters)
        {
            await cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}
