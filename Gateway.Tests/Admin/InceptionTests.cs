using System.Net;
using System.Text.Json;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Tests.KuboRpc;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// The self-referencing topology ("inception", docs/design/inception.md) and the other
/// not-a-cluster answers, against real Kestrel fakes of the undercluster and a fake clock.
/// </summary>
public sealed class InceptionTests
{
    private static readonly HealthOptions Health = new() { ProbeInterval = TimeSpan.FromSeconds(5), ReadyWithin = TimeSpan.FromSeconds(15) };

    private static string Self => AdminTestHost.Identity.PeerId.ToString();

    [Test]
    public async Task Probe_IdReportsThisGatewayAsIpfsDaemon_InceptionUntilFixed()
    {
        await using var local = await FakeUndercluster.StartAsync("12D3KooWLocal");
        local.IpfsId = Self;
        await using var host = await AdminTestHost.StartAsync(Options(("local", local.Url)));
        var expected = $"inception: undercluster \"local\" peer 12D3KooWLocal (fake-ocal) uses this gateway ({Self}) as its IPFS daemon; "
            + "pins through it would loop back here. Point that peer's ipfshttp.node_multiaddress at a real IPFS daemon.";

        using var ready = await host.Client.GetAsync("/ready");
        var body = await ReadJsonAsync(ready);
        var entry = body.GetProperty("underclusters")[0];
        var metrics = await host.Client.GetStringAsync("/metrics");
        var refused = host.Health.TryGetRefusal("local", out var refusal);
        var healthy = host.Health.IsHealthy("local");
        await host.AdvanceAsync(Health.ProbeInterval);
        await host.AdvanceAsync(Health.ProbeInterval);
        var errors = host.Logs.Entries.Where(e => e.Level == LogLevel.Error).ToList();

        local.IpfsId = "12D3KooWBvxTgBbM3DRyuq4FGNN2ufnsaLxQaCNDufmFSMEMKq3t";
        await host.AdvanceAsync(Health.ProbeInterval);
        using var fixedReady = await host.Client.GetAsync("/ready");
        var fixedMetrics = await host.Client.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(entry.GetProperty("state").GetString(), Is.EqualTo("inception"));
            Assert.That(entry.GetProperty("ready").GetBoolean(), Is.False);
            Assert.That(entry.GetProperty("last_error").GetString(), Is.EqualTo(expected));
            Assert.That(entry.GetProperty("peer_id").GetString(), Is.EqualTo("12D3KooWLocal"));
            Assert.That(refused, Is.True);
            Assert.That(refusal, Is.EqualTo(expected));
            Assert.That(healthy, Is.False);
            Assert.That(metrics, Does.Contain("gateway_undercluster_up{undercluster=\"local\"} 0\n"));
            Assert.That(metrics, Does.Contain("gateway_undercluster_inception{undercluster=\"local\"} 1\n"));
            Assert.That(errors, Has.Count.EqualTo(1), "logged once as an error, not at every probe");
            Assert.That(errors[0].EventId.Id, Is.EqualTo(1104));
            Assert.That(errors[0].Message, Does.Contain(expected));

            Assert.That(fixedReady.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Health.TryGetRefusal("local", out _), Is.False);
            Assert.That(host.Health.Snapshot()[0].State, Is.EqualTo(UnderclusterState.Up));
            Assert.That(fixedMetrics, Does.Contain("gateway_undercluster_up{undercluster=\"local\"} 1\n"));
            Assert.That(fixedMetrics, Does.Contain("gateway_undercluster_inception{undercluster=\"local\"} 0\n"));
        });
    }

    [Test]
    public async Task Probe_AnotherPeerUsesThisGateway_FoundThroughPeersInAnyPeerIdForm()
    {
        await using var local = await FakeUndercluster.StartAsync("12D3KooWLocal");
        local.IpfsId = "12D3KooWBvxTgBbM3DRyuq4FGNN2ufnsaLxQaCNDufmFSMEMKq3t";
        // The same identity as a CIDv1 (libp2p-key, base32): the comparison is by multihash, not by text.
        local.OtherPeers = [new ClusterPeer { Id = "12D3KooWOther", Peername = "other", Ipfs = new IpfsPeer { Id = AdminTestHost.Identity.PeerId.ToCidString() } }];
        await using var host = await AdminTestHost.StartAsync(Options(("local", local.Url)));
        var first = host.Health.Snapshot()[0];

        local.OtherPeers = [new ClusterPeer { Id = "12D3KooWOther", Peername = "other", Ipfs = new IpfsPeer { Id = "12D3KooWBvxTgBbM3DRyuq4FGNN2ufnsaLxQaCNDufmFSMEMKq3t" } }];
        await host.AdvanceAsync(Health.ProbeInterval);
        var second = host.Health.Snapshot()[0];

        Assert.Multiple(() =>
        {
            Assert.That(first.State, Is.EqualTo(UnderclusterState.Inception));
            Assert.That(first.LastError, Is.EqualTo(
                $"inception: undercluster \"local\" peer 12D3KooWOther (other) uses this gateway ({Self}) as its IPFS daemon; "
                + "pins through it would loop back here. Point that peer's ipfshttp.node_multiaddress at a real IPFS daemon."));
            Assert.That(first.PeerId, Is.EqualTo("12D3KooWLocal"), "the contacted peer, as for any probe");
            Assert.That(second.State, Is.EqualTo(UnderclusterState.Up), "while refused, /peers is checked at every probe");
        });
    }

    [Test]
    public async Task Probe_SoundCluster_PeersCheckedAtFirstProbeThenEverySixth()
    {
        await using var local = await FakeUndercluster.StartAsync("12D3KooWLocal");
        await using var host = await AdminTestHost.StartAsync(Options(("local", local.Url)));
        var afterFirst = local.PeersRequests;
        for (var i = 0; i < UnderclusterHealthMonitor.PeersCheckEvery - 1; i++)
        {
            await host.AdvanceAsync(Health.ProbeInterval);
        }

        var beforeSixth = local.PeersRequests;
        local.OtherPeers = [new ClusterPeer { Id = "12D3KooWLate", Ipfs = new IpfsPeer { Id = Self } }];
        await host.AdvanceAsync(Health.ProbeInterval);

        Assert.Multiple(() =>
        {
            Assert.That(afterFirst, Is.EqualTo(1));
            Assert.That(beforeSixth, Is.EqualTo(1), "no /peers between checks");
            Assert.That(local.PeersRequests, Is.EqualTo(2));
            Assert.That(local.Requests, Is.EqualTo(UnderclusterHealthMonitor.PeersCheckEvery + 1), "one /id per probe");
            Assert.That(host.Health.Snapshot()[0].State, Is.EqualTo(UnderclusterState.Inception));
            Assert.That(host.Health.Snapshot()[0].LastError, Does.StartWith("inception: undercluster \"local\" peer 12D3KooWLate uses this gateway"));
        });
    }

    [Test]
    public async Task Probe_UnderclusterComesBackAfterDown_PeersCheckedAgainBeforeUp()
    {
        await using var local = await FakeUndercluster.StartAsync("12D3KooWLocal");
        await using var host = await AdminTestHost.StartAsync(Options(("local", local.Url)));
        local.Mode = FakeUnderclusterMode.Fail500;
        await host.AdvanceAsync(Health.ProbeInterval);
        // Reconfigured while down: the first successful probe must not report up before looking at /peers.
        local.OtherPeers = [new ClusterPeer { Id = "12D3KooWLate", Ipfs = new IpfsPeer { Id = Self } }];
        local.Mode = FakeUnderclusterMode.Serve;
        await host.AdvanceAsync(Health.ProbeInterval);

        Assert.That(host.Health.Snapshot()[0].State, Is.EqualTo(UnderclusterState.Inception));
    }

    [Test]
    public async Task Probe_PeersFails_IdDecidesAndPeersRetriedAtTheNextCheck()
    {
        await using var local = await FakeUndercluster.StartAsync("12D3KooWLocal");
        local.FailPeers = true;
        local.OtherPeers = [new ClusterPeer { Id = "12D3KooWHidden", Ipfs = new IpfsPeer { Id = Self } }];
        await using var host = await AdminTestHost.StartAsync(Options(("local", local.Url)));
        var first = host.Health.Snapshot()[0];
        var debug = host.Logs.Entries.Where(e => e.EventId.Id == 1106).Select(e => e.Message).ToList();

        local.FailPeers = false;
        for (var i = 0; i < UnderclusterHealthMonitor.PeersCheckEvery; i++)
        {
            await host.AdvanceAsync(Health.ProbeInterval);
        }

        Assert.Multiple(() =>
        {
            Assert.That(first.State, Is.EqualTo(UnderclusterState.Up), "/id answered; an unreadable /peers is not an outage");
            Assert.That(host.Health.TryGetRefusal("no-such-undercluster", out var none), Is.False);
            Assert.That(none, Is.Null);
            Assert.That(debug, Is.EqualTo(new[] { "Topology check (GET /peers) of undercluster local failed: HTTP 500: fake peers failure" }));
            Assert.That(local.PeersRequests, Is.EqualTo(2), "retried at the next scheduled check, not at every probe");
            Assert.That(host.Health.Snapshot()[0].State, Is.EqualTo(UnderclusterState.Inception));
        });
    }

    [Test]
    public async Task Probe_UrlIsAKuboRpcApi_NotAClusterWithKuboHint()
    {
        await using var kubo = await KuboRpcTestHost.StartAsync();
        await using var host = await AdminTestHost.StartAsync(Options(("kubo", new Uri(kubo.Address, "api/v0"))));

        var snapshot = host.Health.Snapshot()[0];
        var metrics = await host.Client.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.State, Is.EqualTo(UnderclusterState.Down));
            Assert.That(snapshot.LastError, Is.EqualTo(
                """not an ipfs-cluster REST API: GET /id answered HTTP 405 ({"Message":"405 - Method Not Allowed","Code":1,"Type":"error"}), """
                + "which looks like a Kubo RPC API (an IPFS daemon, or a gateway like this one). "
                + "url must be the cluster's REST API (restapi.http_listen_multiaddress, default port 9094), not an IPFS RPC API (default port 5001)"));
            Assert.That(metrics, Does.Contain("gateway_undercluster_probes_total{undercluster=\"kubo\",outcome=\"http_error\"} 1\n"));
        });
    }

    [Test]
    public async Task Probe_UrlServesSomethingElse_NotAClusterWithGenericHint()
    {
        await using var kubo = await KuboRpcTestHost.StartAsync();
        await using var host = await AdminTestHost.StartAsync(Options(("other", kubo.Address)));

        Assert.That(host.Health.Snapshot()[0].LastError, Is.EqualTo(
            "not an ipfs-cluster REST API: GET /id answered HTTP 404 (Not Found); every ipfs-cluster REST API serves it. "
            + "Check url's host, port and path (the cluster's restapi.http_listen_multiaddress, default port 9094)"));
    }

    [Test]
    public async Task Probe_ConnectionRefused_NamesAddressAndStaysOutOfTheBreaker()
    {
        var gone = FakeUndercluster.UnusedUrl();
        await using var host = await AdminTestHost.StartAsync(Options(("gone", gone)));
        // More failed probes than the breaker's minimum throughput (8): probes must neither trip it nor be blocked by it
        // (they hold it open on purpose — isolated, not opened by counting — and keep reaching the undercluster).
        for (var i = 0; i < 10; i++)
        {
            await host.AdvanceAsync(Health.ProbeInterval);
        }

        var snapshot = host.Health.Snapshot()[0];
        var client = host.Services.GetRequiredService<ClusterClientRegistry>()["gone"];
        var clientWarnings = host.Logs.Entries.Where(e => e.Level >= LogLevel.Information
            && (e.Category.StartsWith("CompositeGateway.Clusters", StringComparison.Ordinal) || e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal)));

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.LastError, Is.EqualTo($"connect: connection refused ({gone.Authority})"));
            Assert.That(snapshot.ConsecutiveFailures, Is.EqualTo(11));
            Assert.That(client.CircuitState, Is.EqualTo(Polly.CircuitBreaker.CircuitState.Isolated), "held open by the probe, not tripped by it");
            Assert.That(client.IsIsolated, Is.True);
            Assert.That(clientWarnings, Is.Empty, "probe failures are logged by the monitor only");
        });
    }

    [Test]
    public void Describe_TwoPeersUseThisGateway_NamesBoth()
    {
        var self = GatewayIdentity.Generate().PeerId;
        ClusterPeer[] peers =
        [
            new() { Id = "12D3KooWA", Peername = "a", Ipfs = new IpfsPeer { Id = self.ToString() } },
            new() { Id = "12D3KooWB", Ipfs = new IpfsPeer { Id = self.ToString() } },
            new() { Id = "12D3KooWC", Peername = "c", Ipfs = new IpfsPeer { Id = "12D3KooWBvxTgBbM3DRyuq4FGNN2ufnsaLxQaCNDufmFSMEMKq3t" } },
            new() { Id = "12D3KooWD", Peername = "d", Ipfs = new IpfsPeer { Error = "connection refused" } },
        ];

        Assert.Multiple(() =>
        {
            Assert.That(InceptionCheck.Describe("eu", self, peers), Is.EqualTo(
                $"inception: undercluster \"eu\" peers 12D3KooWA (a), 12D3KooWB use this gateway ({self}) as their IPFS daemon; "
                + "pins through it would loop back here. Point those peers' ipfshttp.node_multiaddress at a real IPFS daemon."));
            Assert.That(InceptionCheck.Describe("eu", self, peers[2..]), Is.Null);
        });
    }

    private static GatewayOptions Options(params (string Name, Uri Url)[] underclusters) => new()
    {
        Health = Health,
        Underclusters = [.. underclusters.Select(u => new UnderclusterOptions { Name = u.Name, Url = u.Url, Timeout = TimeSpan.FromSeconds(10) })],
    };

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
