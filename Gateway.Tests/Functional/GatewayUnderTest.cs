using CompositeGateway.Lab.Connector;
using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// One running gateway of a <see cref="TestEnvironment"/>: the real <see cref="GatewayHost"/> composition on
/// Kestrel, its bound URLs, its identity, the log it wrote (warnings and up) and a replayed Go peer talking to it.
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly List<IDisposable> _clients = [];

    private GatewayUnderTest(GatewayHost host, GatewayOptions options, GatewayIdentity identity, LogCollector logs, GoIpfsConnectorOptions goOptions)
    {
        Host = host;
        Options = options;
        PeerId = identity.PeerId.ToString();
        Logs = logs;
        KuboRpcUrl = GatewayHost.BaseUrl(host.KuboRpcEndPoint);
        AdminUrl = GatewayHost.BaseUrl(host.AdminEndPoint);
        Go = CreateGoPeer(goOptions);
    }

    public GatewayHost Host { get; }

    public GatewayOptions Options { get; }

    /// <summary>The libp2p peer ID its <c>id</c> answers, and its owner identity in undercluster metadata.</summary>
    public string PeerId { get; }

    /// <summary>The metadata key marking undercluster pins this gateway owns (docs/design/ownership.md).</summary>
    public string OwnerKey => Options.PinPath.MetadataPrefix + "owner/" + PeerId;

    public Uri KuboRpcUrl { get; }

    public Uri AdminUrl { get; }

    /// <summary>The overcluster peer's IPFS connector, replayed (Go-peer request shape and conclusions).</summary>
    public GoIpfsConnector Go { get; }

    /// <summary>Warnings and errors the gateway logged.</summary>
    public LogCollector Logs { get; }

    public static async Task<GatewayUnderTest> StartAsync(GatewayOptions options, GoIpfsConnectorOptions goOptions, CancellationToken cancellationToken)
    {
        var identity = IdentityKeyFile.LoadOrCreate(options.IdentityFile);
        var logs = new LogCollector();
        var host = GatewayHost.Create(
            options,
            identity,
            new LoggingOptions { Level = LogLevel.Warning },
            app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs));
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return new GatewayUnderTest(host, options, identity.Identity!, logs, goOptions);
    }

    /// <summary>Another replayed Go peer (own connection pool, own timeouts) for the same gateway.</summary>
    public GoIpfsConnector CreateGoPeer(GoIpfsConnectorOptions? options = null)
    {
        var go = new GoIpfsConnector(KuboRpcUrl, options);
        lock (_clients)
        {
            _clients.Add(go);
        }

        return go;
    }

    /// <summary>A plain HTTP client on the Kubo RPC listener, for requests the Go peer never sends.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = KuboRpcUrl, Timeout = TimeSpan.FromSeconds(30) };
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>
    /// Waits until the health probe has seen every undercluster up: a failed probe holds an undercluster's circuit
    /// open until the next probe succeeds, so a test that injected faults on <c>/id</c> waits here after clearing them.
    /// </summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var health = Host.Services.GetRequiredService<CompositeGateway.Underclusters.UnderclusterHealth>();
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            // Taken before the check, so that a probe recorded in between still wakes this loop.
            var changed = health.WaitForChangeAsync(cancellation.Token);
            if (Options.Underclusters.All(u => health.IsHealthy(u.Name)))
            {
                return;
            }

            await changed;
        }
    }

    public void PrintLog(TextWriter output, int last = 200)
    {
        var entries = Logs.Entries;
        output.WriteLine($"--- gateway {PeerId} log ({entries.Count} entries, last {Math.Min(last, entries.Count)}) ---");
        foreach (var entry in entries.TakeLast(last))
        {
            output.WriteLine($"{entry.Level} {entry.Category}[{entry.EventId.Id}]: {entry.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await Host.StopAsync(stop.Token);
        }

        await Host.DisposeAsync();
    }
}
