using CompositeGateway.Configuration;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>The real gateway on loopback in front of one emulated undercluster named "lab".</summary>
internal sealed class LabGateway : IAsyncDisposable
{
    private readonly DirectoryInfo _folder;

    private LabGateway(DirectoryInfo folder, EmulatedCluster cluster, GatewayHost host)
    {
        _folder = folder;
        Cluster = cluster;
        Host = host;
        Kubo = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.KuboRpcEndPoint) };
        Admin = new HttpClient { BaseAddress = GatewayHost.BaseUrl(host.AdminEndPoint) };
    }

    public EmulatedCluster Cluster { get; }

    public GatewayHost Host { get; }

    public HttpClient Kubo { get; }

    public HttpClient Admin { get; }

    public static async Task<LabGateway> StartAsync(EmulatedClusterOptions lab, TimeSpan waitLimit, TelemetryOptions? telemetry = null, LoggingOptions? logging = null)
    {
        var folder = Directory.CreateTempSubdirectory("cg-metrics-");
        var cluster = await EmulatedCluster.StartAsync(lab, null, CancellationToken.None);
        var options = new GatewayOptions
        {
            Listen = "127.0.0.1:0",
            AdminListen = "127.0.0.1:0",
            IdentityFile = Path.Combine(folder.FullName, "identity.key"),
            Underclusters = [new UnderclusterOptions { Name = "lab", Url = cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(2) }],
            Health = new HealthOptions { ProbeInterval = TimeSpan.FromMilliseconds(200) },
            PinPath = new CompositeGateway.Configuration.PinPathOptions { PollInterval = TimeSpan.FromMilliseconds(50), WaitLimit = waitLimit },
            Telemetry = telemetry ?? new TelemetryOptions(),
        };
        var host = GatewayHost.Create(options, IdentityKeyFile.LoadOrCreate(options.IdentityFile), logging ?? new LoggingOptions { Level = LogLevel.Warning });
        await host.StartAsync(CancellationToken.None);
        return new LabGateway(folder, cluster, host);
    }

    public async ValueTask DisposeAsync()
    {
        Kubo.Dispose();
        Admin.Dispose();
        await Host.DisposeAsync();
        await Cluster.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
