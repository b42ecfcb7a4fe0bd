using CompositeGateway.Lab.Connector;
using System.Net;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Content;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc;
using CompositeGateway.Lab;
using CompositeGateway.Tests.KuboRpc;
using CompositeGateway.Underclusters;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CompositeGateway.Tests.Composition;

/// <summary>
/// Several emulated underclusters (named a, b, c, …) on 127.0.0.1:0, and gateways' composition layers over all of
/// them. Health is the real <see cref="UnderclusterHealth"/> registry, fed by the tests (<see cref="MarkDown"/>) the
/// way the background probe feeds it, so placement reacts exactly as it would to probes.
/// </summary>
internal sealed class MultiClusterFixture : IAsyncDisposable
{
    private readonly List<ServiceProvider> _gateways = [];
    private readonly List<WebApplication> _apps = [];
    private readonly ILoggerFactory _loggerFactory;

    private MultiClusterFixture(IReadOnlyList<EmulatedCluster> clusters, ILoggerFactory loggerFactory)
    {
        Clusters = clusters;
        _loggerFactory = loggerFactory;
        Health = new UnderclusterHealth(clusters.Select(c => c.Name), new HealthOptions { ReadyWithin = TimeSpan.FromHours(1) }, TimeProvider.System);
        foreach (var cluster in clusters)
        {
            Health.RecordSuccess(cluster.Name, "12D3KooWprobe");
        }
    }

    public IReadOnlyList<EmulatedCluster> Clusters { get; }

    public UnderclusterHealth Health { get; }

    public EmulatedCluster this[string name] => Clusters.Single(c => c.Name == name);

    public static async Task<MultiClusterFixture> StartAsync(int count = 3, Func<int, EmulatedClusterOptions, EmulatedClusterOptions>? configure = null)
    {
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var clusters = new List<EmulatedCluster>();
        for (var i = 0; i < count; i++)
        {
            var options = new EmulatedClusterOptions { Name = ((char)('a' + i)).ToString(), RandomSeed = 11 + i };
            clusters.Add(await EmulatedCluster.StartAsync(configure?.Invoke(i, options) ?? options, TimeProvider.System, loggerFactory));
        }

        return new MultiClusterFixture(clusters, loggerFactory);
    }

    /// <summary>What the probe records for an undercluster that stopped answering.</summary>
    public void MarkDown(string name) => Health.RecordFailure(name, "connect: refused (test)");

    public void MarkUp(string name) => Health.RecordSuccess(name, "12D3KooWprobe");

    /// <summary>Really down (connections refused) and known down by health.</summary>
    public async Task TakeDownAsync(string name)
    {
        await this[name].GoDownAsync();
        MarkDown(name);
    }

    public async Task BringUpAsync(string name)
    {
        await this[name].ComeUpAsync();
        MarkUp(name);
    }

    public GatewayOptions GatewayOptions(TimeSpan? timeout = null, Func<UnderclusterOptions, UnderclusterOptions>? configure = null) => new()
    {
        Underclusters = [.. Clusters.Select(c =>
        {
            var options = new UnderclusterOptions { Name = c.Name, Url = c.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(5) };
            return configure?.Invoke(options) ?? options;
        })],
    };

    /// <summary>One gateway's composition services over every undercluster.</summary>
    public Gateway StartGateway(
        PlacementOptions placement,
        string owner = CompositionHarness.OwnerA,
        PinPathOptions? options = null,
        TimeSpan? timeout = null,
        Func<UnderclusterOptions, UnderclusterOptions>? configure = null)
    {
        var services = new ServiceCollection();
        Register(services, placement, owner, options, timeout, configure);
        var provider = services.BuildServiceProvider();
        _gateways.Add(provider);
        return new Gateway(provider);
    }

    /// <summary>A gateway with its Kubo RPC surface on 127.0.0.1:0 and a replayed Go ipfs-cluster peer pointed at it.</summary>
    public async Task<(Gateway Gateway, GoIpfsConnector Go)> StartKuboAsync(PlacementOptions placement, PinPathOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        Register(builder.Services, placement, CompositionHarness.OwnerA, options, null, null);
        builder.Services.AddKuboRpc(new KuboRpcOptions());
        builder.Services.AddSingleton<INodeIdentity>(KuboRpcTestHost.Identity);
        var app = builder.Build();
        app.MapKuboRpc();
        await app.StartAsync();
        _apps.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (new Gateway(app.Services), new GoIpfsConnector(new Uri(address)));
    }

    /// <summary>CIDs in an emulated undercluster's pinset.</summary>
    public IReadOnlySet<string> Pinset(string name)
    {
        var state = this[name].State;
        return state.Store.Enumerate(state.NowTicks).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        foreach (var cluster in Clusters)
        {
            await cluster.DisposeAsync();
        }

        _loggerFactory.Dispose();
    }

    private void Register(
        IServiceCollection services, PlacementOptions placement, string owner, PinPathOptions? options, TimeSpan? timeout, Func<UnderclusterOptions, UnderclusterOptions>? configure)
    {
        services.AddSingleton(_loggerFactory);
        services.AddSingleton(Health);
        services.AddClusterClients(GatewayOptions(timeout, configure), new ClusterClientSettings { MaxRetryAttempts = 0, BreakerMinimumThroughput = int.MaxValue });
        services.AddComposition(options ?? CompositionHarness.FastOptions, _ => new GatewayOwner(owner), placement);
        services.AddContent();
        services.AddContentAdd();
    }

    /// <summary>One gateway's composition services.</summary>
    internal sealed class Gateway(IServiceProvider services)
    {
        public IServiceProvider Services => services;

        public PinService Pins => services.GetRequiredService<PinService>();

        public Placement Placement => services.GetRequiredService<Placement>();

        public ISpaceReporter Space => services.GetRequiredService<ISpaceReporter>();

        /// <summary>Pins and waits until the pin is pinned (or fails); null on success.</summary>
        public async Task<GatewayFailure?> PinAsync(string cid, CompositeGateway.Clusters.PinMode mode = CompositeGateway.Clusters.PinMode.Recursive)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var started = await Pins.StartPinAsync(new PinIntent(Cid.Parse(cid), mode), timeout.Token);
            return started.Failure ?? await started.Wait!.Completion;
        }

        public async Task<List<string>> ListAsync()
        {
            var items = new List<string>();
            var listing = Pins.ListAsync(CancellationToken.None);
            await foreach (var item in listing)
            {
                items.Add(item.Cid);
            }

            Assert.That(listing.Failure, Is.Null, "the listing ended with a failure");

            return items;
        }
    }
}
