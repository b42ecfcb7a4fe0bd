using System.Collections.Concurrent;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// An emulated undercluster on 127.0.0.1:0 (real Kestrel) with a request log kept at the emulator, plus
/// any number of gateways' composition layers (each its own identity, client and poller) pointed at it.
/// </summary>
internal sealed class CompositionHarness : IAsyncDisposable
{
    public const string OwnerA = "12D3KooWGatewayAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    public const string OwnerB = "12D3KooWGatewayBxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    /// <summary>Options for fast tests: short polls and grace periods, no recheck delay.</summary>
    public static readonly PinPathOptions FastOptions = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        UnreachableAfter = TimeSpan.FromSeconds(2),
        UnpinRecheckDelay = TimeSpan.Zero,
        WaitLimit = TimeSpan.FromSeconds(60),
    };

    private static long _nextCid = 1_000_000_000;
    private readonly List<ServiceProvider> _gateways = [];
    private readonly ILoggerFactory _loggerFactory;

    private CompositionHarness(EmulatedCluster cluster, ServerRequestLog requests, ILoggerFactory loggerFactory)
    {
        Cluster = cluster;
        Requests = requests;
        _loggerFactory = loggerFactory;
    }

    public EmulatedCluster Cluster { get; }

    public LabCluster State => Cluster.State;

    /// <summary>Every request the emulator received (its ASP.NET Core hosting log).</summary>
    public ServerRequestLog Requests { get; }

    public static async Task<CompositionHarness> StartAsync(EmulatedClusterOptions? options = null)
    {
        var requests = new ServerRequestLog();
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(requests).SetMinimumLevel(LogLevel.Information));
        options ??= new EmulatedClusterOptions();
        var cluster = await EmulatedCluster.StartAsync(options with { Name = "local", RandomSeed = options.RandomSeed ?? 7 }, TimeProvider.System, loggerFactory);
        return new CompositionHarness(cluster, requests, loggerFactory);
    }

    /// <summary>A fresh CID nobody used before in this process.</summary>
    public static string NewCid() => LabCids.Synthetic(Interlocked.Increment(ref _nextCid));

    /// <summary>One gateway's composition layer against the emulator, as <c>AddComposition</c> wires it.</summary>
    public Gateway StartGateway(string owner = OwnerA, PinPathOptions? options = null, TimeSpan? timeout = null, ClusterClientSettings? settings = null, bool soleGateway = false)
    {
        var gatewayOptions = new GatewayOptions
        {
            Underclusters = [new UnderclusterOptions { Name = "local", Url = Cluster.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(5), SoleGateway = soleGateway }],
        };
        var services = new ServiceCollection();
        services.AddSingleton(_loggerFactory);
        services.AddClusterClients(gatewayOptions, settings ?? new ClusterClientSettings { MaxRetryAttempts = 0, BreakerMinimumThroughput = int.MaxValue });
        services.AddComposition(options ?? FastOptions, _ => new GatewayOwner(owner));
        var provider = services.BuildServiceProvider();
        _gateways.Add(provider);
        return new Gateway(provider, owner);
    }

    /// <summary>Metadata of a CID in the emulator's pinset, or null when absent.</summary>
    public IReadOnlyDictionary<string, string>? MetadataOf(string cid) =>
        State.Store.TryGet(cid, State.NowTicks, out var pin) ? pin.Extras?.MetadataMap ?? new Dictionary<string, string>() : null;

    public bool InPinset(string cid) => State.Store.TryGet(cid, State.NowTicks, out _);

    /// <summary>Seeds pins already pinned on their peers and marks them owned by <paramref name="owner"/> (one shared metadata array: 1M pins stay cheap).</summary>
    public void SeedOwned(int count, string owner)
    {
        var first = Cluster.Seed(count, namePrefix: "seed-");
        var ownership = new Ownership(new PinPathOptions().MetadataPrefix, owner);
        KeyValuePair<string, string>[] metadata = [.. ownership.WithOwner(null, DateTimeOffset.UnixEpoch, markCreated: true).OrderBy(kv => kv.Key, StringComparer.Ordinal)];
        var extras = new PinExtras { Metadata = metadata };
        lock (State.Store.WriteLock)
        {
            for (var i = 0; i < count; i++)
            {
                var cid = LabCids.Synthetic(first + i);
                State.Store.TryGet(cid, State.NowTicks, out var pin);
                State.Store.Put(cid, pin with { Extras = extras });
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        _loggerFactory.Dispose();
    }

    /// <summary>One gateway's composition services.</summary>
    internal sealed class Gateway(ServiceProvider services, string owner)
    {
        public string Owner { get; } = owner;

        public IServiceProvider Services => services;

        public PinService Pins => services.GetRequiredService<PinService>();

        public Undercluster Undercluster => services.GetRequiredService<Undercluster>();

        public ClusterClient Client => Undercluster.Client;

        public string OwnerKey => "composite-gateway/owner/" + Owner;
    }
}

/// <summary>
/// Counts requests where the emulator's Kestrel host logs them (Microsoft.AspNetCore.Hosting.Diagnostics,
/// "Request starting"), so request rates are measured at the undercluster, not in the client.
/// </summary>
internal sealed class ServerRequestLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(DateTime At, string Method, string Path, string Query)> _requests = new();

    public IReadOnlyList<(DateTime At, string Method, string Path, string Query)> All => [.. _requests];

    public int Count(string method, string path, Func<string, bool>? query = null) =>
        _requests.Count(r => r.Method == method && r.Path == path && (query is null || query(r.Query)));

    public void Clear() => _requests.Clear();

    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Microsoft.AspNetCore.Hosting.Diagnostics" ? new Recorder(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Recorder(ServerRequestLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != 1 || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                return;
            }

            string Get(string key) => values.FirstOrDefault(v => v.Key == key).Value?.ToString() ?? "";
#pragma warning disable RS0030 // Test-side wall clock for rate figures only.
            // Only the head of the query: status batches carry ~5 KB of CIDs each, and keeping them all would
            // show up in the listing memory figures as if the gateway held them.
            var query = Get("QueryString");
            log._requests.Enqueue((DateTime.UtcNow, Get("Method"), Get("Path"), query.Length > 64 ? query[..64] : query));
#pragma warning restore RS0030
        }
    }
}
