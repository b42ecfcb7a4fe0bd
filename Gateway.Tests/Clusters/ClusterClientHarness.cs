using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Clusters;

/// <summary>Builds clients the way the gateway does (<c>AddClusterClients</c> + IHttpClientFactory), for one undercluster "eu".</summary>
internal sealed class ClusterClientHarness : IDisposable
{
    /// <summary>Short back-off so retry tests stay quick; a breaker that never opens unless a test asks for it.</summary>
    public static readonly ClusterClientSettings FastSettings = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
        BreakerMinimumThroughput = 1000,
    };

    private readonly ServiceProvider _provider;

    public ClusterClientHarness(Uri url, ClusterClientSettings? settings = null, TimeProvider? time = null, TimeSpan? timeout = null, ClusterAuthOptions? auth = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var options = new GatewayOptions
        {
            Underclusters = [new UnderclusterOptions { Name = "eu", Url = url, Timeout = timeout ?? TimeSpan.FromSeconds(10), Auth = auth }],
        };
        services.AddClusterClients(options, settings ?? FastSettings);
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ClusterClientRegistry>();
    }

    public ClusterClientRegistry Registry { get; }

    public ClusterClient Client => Registry["eu"];

    public void Dispose() => _provider.Dispose();
}
