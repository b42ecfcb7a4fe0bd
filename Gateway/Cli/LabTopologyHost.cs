using System.Net;
using System.Net.Sockets;
using System.Text;
using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab.Topology;

namespace CompositeGateway.Cli;

/// <summary>How <c>lab up</c> runs a topology: emulated pin delay at the bottom, the overcluster peers' connector, the gateways' pin path.</summary>
internal sealed record LabUpSettings
{
    /// <summary>Time a pin takes on each peer of a cluster with simulated daemons.</summary>
    public TimeSpan PinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>ipfshttp</c> settings of every peer whose daemon is a gateway.</summary>
    public GoIpfsConnectorOptions Connector { get; init; } = new() { RecordSent = false };

    /// <summary><c>pin_recover_interval</c> of those peers (short: the lab should heal within seconds).</summary>
    public TimeSpan RecoverInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>pin_path</c> of every gateway.</summary>
    public PinPathOptions PinPath { get; init; } = new() { PollInterval = TimeSpan.FromMilliseconds(100) };

    /// <summary><c>health</c> of every gateway.</summary>
    public HealthOptions Health { get; init; } = new() { ProbeInterval = TimeSpan.FromSeconds(1) };

    /// <summary><c>underclusters[].timeout</c> of every gateway.</summary>
    public TimeSpan UnderclusterTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public LoggingOptions Logging { get; init; } = new() { Level = LogLevel.Warning };

    /// <summary>Seed for the peer IDs (null: random).</summary>
    public int? RandomSeed { get; init; }
}

/// <summary>
/// A running topology (<c>composite-gateway lab up</c>): the emulated clusters and one real gateway per
/// topology gateway, wired as described. Gateways run in this process through <see cref="GatewayHost"/>, the
/// composition <c>run</c> uses (same options type, same listeners, same identity-file handling), each with its
/// own identity and ports: one process keeps start-up fast and Ctrl-C simple, and a gateway's view of the
/// world is only HTTP, so in-process changes nothing it can observe (inception is detected from <c>id</c>
/// answers, not from process identity). Kubo RPC ports are reserved before anything starts, because a
/// cluster's peers need their gateway's address and the gateway its cluster's (inception is a cycle).
/// </summary>
internal sealed class LabTopologyHost : IAsyncDisposable
{
    private readonly Dictionary<string, EmulatedCluster> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningGateway> _gateways = new(StringComparer.Ordinal);
    private readonly string _folder;

    private LabTopologyHost(LabTopology topology, LabUpSettings settings)
    {
        Topology = topology;
        Settings = settings;
        _folder = Path.Combine(Path.GetTempPath(), "composite-gateway-lab-" + Guid.NewGuid().ToString("N"));
    }

    public LabTopology Topology { get; }

    public LabUpSettings Settings { get; }

    public IReadOnlyDictionary<string, EmulatedCluster> Clusters => _clusters;

    public EmulatedCluster Cluster(string name) => _clusters[name];

    public GatewayHost Gateway(string name) => _gateways[name].Host;

    /// <summary>The gateway's Kubo RPC base URL (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri KuboUrl(string gateway) => _gateways[gateway].KuboUrl;

    public Uri AdminUrl(string gateway) => GatewayHost.BaseUrl(_gateways[gateway].Host.AdminEndPoint);

    public string PeerIdOf(string gateway) => _gateways[gateway].PeerId;

    /// <summary>Starts every cluster, then every gateway; throws <see cref="ArgumentException"/> for a topology with wiring mistakes.</summary>
    public static async Task<LabTopologyHost> StartAsync(LabTopology topology, LabUpSettings settings, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        if (topology.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"topology {topology.Name}: " + string.Join("; ", errors), nameof(topology));
        }

        var host = new LabTopologyHost(topology, settings);
        try
        {
            // It holds the lab gateways' identity keys: private like every folder the gateway creates.
            IdentityKeyFile.CreatePrivateFolder(host._folder);
            var kuboPorts = topology.Gateways.ToDictionary(g => g.Name, _ => FreePort(), StringComparer.Ordinal);
            var seed = settings.RandomSeed;
            foreach (var cluster in topology.Clusters)
            {
                var options = new EmulatedClusterOptions
                {
                    Name = cluster.Name,
                    Peers = cluster.Peers,
                    PinDelay = settings.PinDelay,
                    RandomSeed = seed is { } s ? s + host._clusters.Count : null,
                    PeerIpfsApis = cluster.IsOver ? [.. cluster.PeerDaemons.Select(d => d is null ? null : $"http://127.0.0.1:{kuboPorts[d]}")] : null,
                    Connector = settings.Connector,
                    RecoverInterval = settings.RecoverInterval,
                };
                host._clusters[cluster.Name] = await EmulatedCluster.StartAsync(options, TimeProvider.System, loggerFactory, cancellationToken);
            }

            foreach (var gateway in topology.Gateways)
            {
                var options = new GatewayOptions
                {
                    Listen = $"127.0.0.1:{kuboPorts[gateway.Name]}",
                    AdminListen = "127.0.0.1:0",
                    IdentityFile = Path.Combine(host._folder, gateway.Name + ".key"),
                    Underclusters = [new UnderclusterOptions
                    {
                        Name = gateway.Undercluster,
                        Url = host._clusters[gateway.Undercluster].BaseAddress,
                        Timeout = settings.UnderclusterTimeout,
                    }],
                    PinPath = settings.PinPath,
                    Health = settings.Health,
                    ShutdownTimeout = TimeSpan.FromSeconds(2),
                };
                host._gateways[gateway.Name] = await RunningGateway.StartAsync(options, settings.Logging, cancellationToken);
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops a gateway (its port refuses connections) and starts it again with the same identity and port.</summary>
    public async Task RestartGatewayAsync(string name, TimeSpan down, CancellationToken cancellationToken)
    {
        var running = _gateways[name];
        await running.DisposeAsync();
        await Task.Delay(down, TimeProvider.System, cancellationToken);
        _gateways[name] = await RunningGateway.StartAsync(running.Options, Settings.Logging, cancellationToken);
    }

    /// <summary>What <c>lab up</c> prints: every cluster's REST address and peers, every gateway's Kubo RPC and admin addresses, a Mermaid picture.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"topology {Topology.Name}\n");
        foreach (var cluster in Topology.Clusters)
        {
            var emulated = _clusters[cluster.Name];
            var daemons = cluster.IsOver ? " (peer daemons: " + string.Join(", ", cluster.PeerDaemons.Select(d => d ?? "simulated")) + ")" : "";
            text.Append($"cluster {cluster.Name,-10} REST {emulated.BaseAddress.ToString().TrimEnd('/')}  {cluster.Peers} peers{daemons}\n");
        }

        foreach (var gateway in Topology.Gateways)
        {
            text.Append($"gateway {gateway.Name,-10} Kubo RPC {KuboUrl(gateway.Name).ToString().TrimEnd('/')}  admin {AdminUrl(gateway.Name).ToString().TrimEnd('/')}  → {gateway.Undercluster}  peer ID {PeerIdOf(gateway.Name)}\n");
        }

        text.Append("\n```mermaid\n").Append(Topology.ToMermaid()).Append("```\n");
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        // Top first, so no overcluster peer keeps calling a gateway that is already gone.
        foreach (var cluster in _clusters.Values.Where(c => c.Trackers.Count > 0))
        {
            await cluster.DisposeAsync();
        }

        foreach (var gateway in _gateways.Values)
        {
            await gateway.DisposeAsync();
        }

        foreach (var cluster in _clusters.Values)
        {
            await cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Only identity keys of a finished run: nothing to keep.
        }
    }

    /// <summary>
    /// A free port below the range the kernel hands out to outgoing connections. A port is reserved here and bound only
    /// once the clusters run (each side needs the other's address), and a reserved port from that range could meanwhile
    /// become the local port of one of the lab's own connections: the gateway then failed to start with "address already
    /// in use" (seen once in a CI run).
    /// </summary>
    private static int FreePort()
    {
        var below = EphemeralPortsStart();
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var port = Random.Shared.Next(Math.Max(1024, below - 8192), below);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var any = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return any;
    }

    /// <summary>Linux's <c>ip_local_port_range</c> start; elsewhere the IANA dynamic range's, which Windows and macOS use.</summary>
    private static int EphemeralPortsStart()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            if (File.Exists(Range)
                && int.TryParse(File.ReadAllText(Range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture, out var start)
                && start > 2048)
            {
                return start;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: the default below.
        }

        return 49152;
    }

    private sealed class RunningGateway(GatewayHost host, GatewayOptions options, string peerId) : IAsyncDisposable
    {
        private bool _disposed;

        public GatewayHost Host { get; } = host;

        public GatewayOptions Options { get; } = options;

        public string PeerId { get; } = peerId;

        public Uri KuboUrl => GatewayHost.BaseUrl(Host.KuboRpcEndPoint);

        public static async Task<RunningGateway> StartAsync(GatewayOptions options, LoggingOptions logging, CancellationToken cancellationToken)
        {
            var identity = IdentityKeyFile.LoadOrCreate(options.IdentityFile);
            if (!identity.Succeeded)
            {
                throw new InvalidOperationException(identity.Error);
            }

            var host = GatewayHost.Create(options, identity, logging);
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }

            return new RunningGateway(host, options, identity.Identity!.PeerId.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            using (var stop = new CancellationTokenSource(Options.ShutdownTimeout))
            {
                try
                {
                    await Host.StopAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Past the shutdown timeout: disposing closes what is left.
                }
            }

            await Host.DisposeAsync();
        }
    }
}
