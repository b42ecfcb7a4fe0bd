using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary>An undercluster <c>url</c> pointing back at the gateway's own listeners is a configuration error.</summary>
public sealed class OwnListenersTests
{
    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public void LoadText_UrlIsOwnKuboListener_ProblemWithKeyLineAndHint()
    {
        var problems = files.Problems("""
            listen: 127.0.0.1:5001
            admin_listen: 127.0.0.1:9465
            underclusters:
              - name: ok
                url: http://127.0.0.1:9094
              - name: local
                url: http://127.0.0.1:5001
            """);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "underclusters[1].url (line 7): points at this gateway's own Kubo RPC listener (listen: 127.0.0.1:5001); an undercluster must be an ipfs-cluster REST API (default port 9094)",
        }));
    }

    [Test]
    public void LoadText_UrlIsOwnAdminListenerByDefault_Problem()
    {
        var problems = files.Problems("""
            underclusters:
              - name: local
                url: http://localhost:9465/
            """);

        Assert.That(problems, Is.EqualTo(new[]
        {
            "underclusters[0].url (line 3): points at this gateway's own admin listener (admin_listen: 127.0.0.1:9465); an undercluster must be an ipfs-cluster REST API (default port 9094)",
        }));
    }

    [Test]
    public void LoadText_UrlFromEnvironmentPointsAtOwnListener_ProblemNamesVariable()
    {
        var problems = files.Problems(
            """
            underclusters:
              - name: local
                url: http://127.0.0.1:9094
            """,
            new Dictionary<string, string> { ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL"] = "http://127.0.0.1:5001" });

        Assert.That(problems, Is.EqualTo(new[]
        {
            "underclusters[0].url (from COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL): points at this gateway's own Kubo RPC listener (listen: 127.0.0.1:5001); an undercluster must be an ipfs-cluster REST API (default port 9094)",
        }));
    }

    [TestCase("localhost:5001", "http://127.0.0.1:5001")]
    [TestCase("localhost:5001", "http://[::1]:5001/api/v0")]
    [TestCase("127.0.0.1:5001", "http://localhost:5001")]
    [TestCase("[::1]:5001", "http://localhost:5001")]
    [TestCase("0.0.0.0:5001", "http://127.0.0.1:5001")]
    [TestCase("0.0.0.0:5001", "http://127.0.0.53:5001")]
    [TestCase("0.0.0.0:5001", "https://localhost:5001")]
    [TestCase("[::]:5001", "http://[::1]:5001")]
    [TestCase("[::]:5001", "http://127.0.0.1:5001")]
    [TestCase("10.1.2.3:80", "http://10.1.2.3")]
    public void Describe_UrlReachesListener_Refused(string listen, string url)
    {
        var own = new OwnListeners(listen, ListenAddress.Parse(listen), "unix:/run/admin.sock", ListenAddress.Parse("unix:/run/admin.sock"));

        Assert.That(own.Describe(new Uri(url)), Does.StartWith($"points at this gateway's own Kubo RPC listener (listen: {listen})"));
    }

    [TestCase("127.0.0.1:5001", "http://127.0.0.1:9094")]
    [TestCase("127.0.0.1:5001", "http://127.0.0.2:5001")]
    [TestCase("127.0.0.1:5001", "http://[::1]:5001")]
    [TestCase("localhost:5001", "http://127.0.0.2:5001")]
    [TestCase("0.0.0.0:5001", "http://[::1]:5001")]
    [TestCase("0.0.0.0:5001", "http://cluster.example:5001")]
    [TestCase("10.1.2.3:5001", "http://10.1.2.4:5001")]
    [TestCase("127.0.0.1:0", "http://127.0.0.1:0")]
    [TestCase("unix:/run/kubo.sock", "http://localhost:5001")]
    public void Describe_UrlCannotReachListener_Accepted(string listen, string url)
    {
        var own = new OwnListeners(listen, ListenAddress.Parse(listen), "unix:/run/admin.sock", ListenAddress.Parse("unix:/run/admin.sock"));

        Assert.That(own.Describe(new Uri(url)), Is.Null);
    }
}
