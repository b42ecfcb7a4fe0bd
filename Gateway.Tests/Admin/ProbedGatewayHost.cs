using System.Net;
using System.Text.Json;
using CompositeGateway.Admin;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.KuboRpc;
using CompositeGateway.Lab;
using CompositeGateway.Tests.Composition;
using CompositeGateway.Tests.KuboRpc;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// Emulated underclusters (a, b, …) on 127.0.0.1:0 and one gateway over them on real Kestrel at 127.0.0.1:0,
/// serving both the Kubo RPC API and the admin endpoints, with the real background health monitor probing on a
/// short real-time interval: the probe, the circuit breaker, repo/stat, <c>/ready</c> and <c>/metrics</c> all as in
/// production, spoken to over HTTP.
/// </summary>
internal sealed class ProbedGatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILoggerFactory _loggerFactory;

    private ProbedGatewayHost(WebApplication app, IReadOnlyList<EmulatedCluster> clusters, ILoggerFactory loggerFactory)
    {
        _app = app;
        _loggerFactory = loggerFactory;
        Clusters = clusters;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        Health = app.Services.GetRequiredService<UnderclusterHealth>();
    }

    public IReadOnlyList<EmulatedCluster> Clusters { get; }

    public HttpClient Client { get; }

    public UnderclusterHealth Health { get; }

    public IServiceProvider Services => _app.Services;

    public EmulatedCluster this[string name] => Clusters.Single(c => c.Name == name);

    /// <summary>
    /// <paramref name="count"/> underclusters with the given timeout; <paramref name="optional"/> ones configured
    /// <c>required: false</c>. The breaker never trips on calls' own failures here (minimum throughput unreachable),
    /// so an open circuit can only come from the probe.
    /// </summary>
    public static async Task<ProbedGatewayHost> StartAsync(
        int count, TimeSpan timeout, PlacementOptions placement, IReadOnlySet<string>? optional = null)
    {
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var clusters = new List<EmulatedCluster>();
        for (var i = 0; i < count; i++)
        {
            var name = ((char)('a' + i)).ToString();
            clusters.Add(await EmulatedCluster.StartAsync(
                new EmulatedClusterOptions { Name = name, RandomSeed = 21 + i, Peers = 3, Capacity = (long)(i + 1) * (10L << 30) },
                TimeProvider.System,
                loggerFactory));
        }

        var options = new GatewayOptions
        {
            Underclusters = [.. clusters.Select(c => new UnderclusterOptions
            {
                Name = c.Name,
                Url = c.BaseAddress,
                Timeout = timeout,
                Required = optional?.Contains(c.Name) != true,
            })],
            Health = new HealthOptions { ProbeInterval = TimeSpan.FromMilliseconds(100), ReadyWithin = TimeSpan.FromMinutes(10) },
            Placement = placement,
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(AdminTestHost.Identity);
        builder.Services.AddClusterClients(options, new ClusterClientSettings { MaxRetryAttempts = 0, BreakerMinimumThroughput = int.MaxValue });
        builder.Services.AddGatewayAdmin(options);
        builder.Services.AddComposition(CompositionHarness.FastOptions, _ => new GatewayOwner(CompositionHarness.OwnerA), placement);
        builder.Services.AddKuboRpc(new KuboRpcOptions());
        builder.Services.AddSingleton<INodeIdentity>(KuboRpcTestHost.Identity);
        var app = builder.Build();
        app.MapKuboRpc();
        app.MapGatewayAdmin();
        await app.StartAsync();
        var host = new ProbedGatewayHost(app, clusters, loggerFactory);
        await host.WaitUntilAsync(name: null, UnderclusterState.Up);
        return host;
    }

    /// <summary>Waits (real time, bounded) until the probe has recorded <paramref name="state"/> for <paramref name="name"/> (every undercluster when null).</summary>
    public async Task WaitUntilAsync(string? name, UnderclusterState state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            // Take the signal before testing, so an update in between is not missed.
            var changed = Health.WaitForChangeAsync(timeout.Token);
            if (Health.Snapshot().Where(s => name is null || s.Name == name).All(s => s.State == state))
            {
                return;
            }

            try
            {
                await changed;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"health did not reach {state} within 20 s: " + string.Join("; ", Health.Snapshot()));
            }
        }
    }

    /// <summary>POSTs a Kubo RPC command (as the Go peer does) and returns status and parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> KuboAsync(string pathAndQuery)
    {
        using var response = await Client.PostAsync("/api/v0/" + pathAndQuery, content: null);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        return (response.StatusCode, document.RootElement.Clone());
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync()
    {
        using var response = await Client.GetAsync("/ready");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    public Task<string> MetricsAsync() => Client.GetStringAsync("/metrics");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var cluster in Clusters)
        {
            await cluster.DisposeAsync();
        }

        _loggerFactory.Dispose();
    }
}
