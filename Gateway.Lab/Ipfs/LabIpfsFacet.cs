using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CompositeGateway.Lab.Ipfs;

/// <summary>
/// The cluster's IPFS daemons seen through one Kubo RPC listener (<c>--ipfs-listen</c>): read
/// commands answered from the blocks any peer of the cluster holds. It has its own listener, so it
/// stays up when the cluster's REST API is taken down, and faults do not touch it.
/// </summary>
internal sealed class LabIpfsFacet : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LabIpfsFacet(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public Uri BaseAddress => new($"http://{EndPoint}/");

    public static async Task<LabIpfsFacet> StartAsync(LabCluster cluster, IPEndPoint endPoint, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddLogging();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var api = new LabIpfsApi(cluster);
        app.Run(api.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LabIpfsFacet(app, new IPEndPoint(endPoint.Address, new Uri(address).Port));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
