using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Clusters;

public sealed class ClusterClientRegistrationTests
{
    [Test]
    public void AddClusterClients_TwoUnderclusters_OneClientEachInConfigOrder()
    {
        var options = new GatewayOptions
        {
            Underclusters =
            [
                new UnderclusterOptions { Name = "eu", Url = new Uri("http://127.0.0.1:9094") },
                new UnderclusterOptions { Name = "us", Url = new Uri("http://127.0.0.2:9094") },
            ],
        };
        using var provider = new ServiceCollection().AddClusterClients(options).BuildServiceProvider();

        var registry = provider.GetRequiredService<ClusterClientRegistry>();

        Assert.That(registry.All.Select(c => c.Name), Is.EqualTo(new[] { "eu", "us" }));
        Assert.That(registry["us"].Url, Is.EqualTo(new Uri("http://127.0.0.2:9094")));
        Assert.That(registry.TryGet("asia", out _), Is.False);
        Assert.That(registry.All.Select(c => c.CircuitState), Has.All.EqualTo(Polly.CircuitBreaker.CircuitState.Closed));
    }

    [Test]
    public void AddClusterClients_CalledTwice_FirstRegistrationOnly()
    {
        var options = new GatewayOptions { Underclusters = [new UnderclusterOptions { Name = "eu", Url = new Uri("http://127.0.0.1:9094") }] };
        var services = new ServiceCollection().AddClusterClients(options);
        var count = services.Count;

        services.AddClusterClients(options, new ClusterClientSettings { MaxRetryAttempts = 0 });
        using var provider = services.BuildServiceProvider();

        Assert.That(services, Has.Count.EqualTo(count), "Admin and Composition may both ask; one client (pool, breaker) per undercluster");
        Assert.That(provider.GetServices<ClusterClientRegistry>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void CreateTransport_Defaults_NoRedirectsBoundedPool()
    {
        using var transport = ClusterClientRegistration.CreateTransport(new ClusterClientSettings());

        Assert.That(transport.AllowAutoRedirect, Is.False);
        Assert.That(transport.MaxConnectionsPerServer, Is.EqualTo(128));
        Assert.That(transport.PooledConnectionIdleTimeout, Is.LessThan(TimeSpan.FromSeconds(120)));
    }
}
