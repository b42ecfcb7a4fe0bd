using System.Net;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Tests.Admin;

public sealed class AdminEndpointsTests
{
    private static readonly HealthOptions Health = new() { ProbeInterval = TimeSpan.FromSeconds(5), ReadyWithin = TimeSpan.FromSeconds(15) };

    [Test]
    public async Task Health_ProcessServing_Returns200WithVersion()
    {
        await using var host = await AdminTestHost.StartAsync(new GatewayOptions { Health = Health });

        using var response = await host.Client.GetAsync("/health");
        var body = await ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("version").GetString(), Is.EqualTo(ProductInfo.Version));
        });
    }

    [Test]
    public async Task Ready_OneUnderclusterUnreachable_Returns503NamingIt()
    {
        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        var gone = FakeUndercluster.UnusedUrl();
        await using var host = await AdminTestHost.StartAsync(Options(("alpha", alpha.Url, null), ("gone", gone, null)));

        using var response = await host.Client.GetAsync("/ready");
        var body = await ReadJsonAsync(response);
        var alphaEntry = Undercluster(body, "alpha");
        var goneEntry = Undercluster(body, "gone");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("not_ready"));
            Assert.That(alphaEntry.GetProperty("state").GetString(), Is.EqualTo("up"));
            Assert.That(alphaEntry.GetProperty("ready").GetBoolean(), Is.True);
            Assert.That(alphaEntry.GetProperty("last_success").GetString(), Is.EqualTo("2025-06-04T10:00:00.000Z"));
            Assert.That(alphaEntry.GetProperty("last_error").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(alphaEntry.GetProperty("peer_id").GetString(), Is.EqualTo("12D3KooWAlpha"));
            Assert.That(goneEntry.GetProperty("state").GetString(), Is.EqualTo("down"));
            Assert.That(goneEntry.GetProperty("ready").GetBoolean(), Is.False);
            Assert.That(goneEntry.GetProperty("last_error").GetString(), Does.StartWith("connect: ").And.Contain("refused"));
            Assert.That(goneEntry.GetProperty("last_success").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(goneEntry.GetProperty("last_probe").GetString(), Is.EqualTo("2025-06-04T10:00:00.000Z"));
            Assert.That(goneEntry.GetProperty("consecutive_failures").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Ready_OptionalUnderclusterDown_Ready_RequiredDown_503WithReasonNamingIt()
    {
        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        var gone = FakeUndercluster.UnusedUrl();
        var optional = Options(("alpha", alpha.Url, null), ("gone", gone, null));
        optional = optional with { Underclusters = [optional.Underclusters[0], optional.Underclusters[1] with { Required = false }] };
        await using var tolerant = await AdminTestHost.StartAsync(optional);
        await using var strict = await AdminTestHost.StartAsync(Options(("alpha", alpha.Url, null), ("gone", gone, null)));

        using var tolerantResponse = await tolerant.Client.GetAsync("/ready");
        var tolerantBody = await ReadJsonAsync(tolerantResponse);
        using var strictResponse = await strict.Client.GetAsync("/ready");
        var strictBody = await ReadJsonAsync(strictResponse);

        Assert.Multiple(() =>
        {
            Assert.That(tolerantResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(tolerantBody.GetProperty("reason").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(Undercluster(tolerantBody, "gone").GetProperty("required").GetBoolean(), Is.False);
            Assert.That(Undercluster(tolerantBody, "gone").GetProperty("ready").GetBoolean(), Is.False);
            Assert.That(strictResponse.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(strictBody.GetProperty("reason").GetString(), Does.StartWith("required undercluster \"gone\" is not ready: connect: "));
            Assert.That(Undercluster(strictBody, "alpha").GetProperty("required").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task Ready_AllUnderclustersUp_Returns200WithSameShape()
    {
        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        await using var beta = await FakeUndercluster.StartAsync("12D3KooWBeta");
        await using var host = await AdminTestHost.StartAsync(Options(("alpha", alpha.Url, null), ("beta", beta.Url, null)));

        using var response = await host.Client.GetAsync("/ready");
        var body = await ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ready"));
            Assert.That(body.GetProperty("underclusters").EnumerateArray().Select(u => u.GetProperty("name").GetString()), Is.EqualTo(new[] { "alpha", "beta" }));
            Assert.That(body.GetProperty("underclusters").EnumerateArray().Select(u => u.GetProperty("state").GetString()), Is.All.EqualTo("up"));
            Assert.That(host.Health.IsHealthy("alpha") && host.Health.IsHealthy("beta"), Is.True);
        });
    }

    [Test]
    public async Task Ready_UnderclusterGoesDownAndComesBack_FollowsReadyWithinAndLogsTransitionsOnce()
    {
        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        await using var host = await AdminTestHost.StartAsync(Options(("alpha", alpha.Url, null)));
        Assert.That((await host.Client.GetAsync("/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        alpha.Mode = FakeUnderclusterMode.Fail500;
        await host.AdvanceAsync(Health.ProbeInterval); // t+5 s: down, but the last success is recent enough
        var blip = await ReadJsonAsync(await host.Client.GetAsync("/ready"));
        var blipMetrics = await host.Client.GetStringAsync("/metrics");
        var healthyDuringBlip = host.Health.IsHealthy("alpha");
        await host.AdvanceAsync(Health.ProbeInterval); // t+10 s
        await host.AdvanceAsync(Health.ProbeInterval); // t+15 s: still exactly within ReadyWithin
        using var atLimit = await host.Client.GetAsync("/ready");
        await host.AdvanceAsync(Health.ProbeInterval); // t+20 s: last success too old
        using var stale = await host.Client.GetAsync("/ready");
        var staleBody = await ReadJsonAsync(stale);

        alpha.Mode = FakeUnderclusterMode.Serve;
        await host.AdvanceAsync(Health.ProbeInterval); // t+25 s: back
        using var back = await host.Client.GetAsync("/ready");
        var backBody = await ReadJsonAsync(back);
        var backMetrics = await host.Client.GetStringAsync("/metrics");

        var transitions = host.Logs.Entries.Where(e => e.Category.EndsWith(nameof(UnderclusterHealthMonitor), StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Undercluster(blip, "alpha").GetProperty("state").GetString(), Is.EqualTo("down"));
            Assert.That(Undercluster(blip, "alpha").GetProperty("last_error").GetString(), Is.EqualTo("HTTP 500: fake failure"));
            Assert.That(blip.GetProperty("status").GetString(), Is.EqualTo("ready"));
            Assert.That(healthyDuringBlip, Is.False, "IsHealthy turns off at the first failed probe");
            Assert.That(blipMetrics, Does.Contain("gateway_undercluster_up{undercluster=\"alpha\"} 0\n"));
            Assert.That(atLimit.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(Undercluster(staleBody, "alpha").GetProperty("consecutive_failures").GetInt32(), Is.EqualTo(4));
            Assert.That(Undercluster(staleBody, "alpha").GetProperty("last_success").GetString(), Is.EqualTo("2025-06-04T10:00:00.000Z"));
            Assert.That(back.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Undercluster(backBody, "alpha").GetProperty("consecutive_failures").GetInt32(), Is.Zero);
            Assert.That(Undercluster(backBody, "alpha").GetProperty("last_success").GetString(), Is.EqualTo("2025-06-04T10:00:25.000Z"));
            Assert.That(backMetrics, Does.Contain("gateway_undercluster_up{undercluster=\"alpha\"} 1\n"));
            Assert.That(backMetrics, Does.Contain("gateway_undercluster_probes_total{undercluster=\"alpha\",outcome=\"http_error\"} 4\n"));
            Assert.That(transitions.Count(e => e.Level == LogLevel.Warning), Is.EqualTo(1), string.Join("\n", transitions));
            Assert.That(transitions.Count(e => e.Level == LogLevel.Information), Is.EqualTo(2), string.Join("\n", transitions));
            Assert.That(transitions.Count(e => e.Level == LogLevel.Debug), Is.EqualTo(3), string.Join("\n", transitions));
        });
    }

    [Test]
    public async Task Probe_UnderclusterWithAuth_SendsBasicCredentials()
    {
        await using var locked = await FakeUndercluster.StartAsync("12D3KooWLocked", ("gateway", "s3cret"));
        await using var host = await AdminTestHost.StartAsync(Options(
            ("good", locked.Url, new ClusterAuthOptions { Username = "gateway", Password = "s3cret", PasswordSource = "test" }),
            ("wrong", locked.Url, new ClusterAuthOptions { Username = "gateway", Password = "nope", PasswordSource = "test" }),
            ("none", locked.Url, null)));

        var snapshot = host.Health.Snapshot().ToDictionary(s => s.Name);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot["good"].State, Is.EqualTo(UnderclusterState.Up));
            Assert.That(snapshot["good"].PeerId, Is.EqualTo("12D3KooWLocked"));
            Assert.That(snapshot["wrong"].State, Is.EqualTo(UnderclusterState.Down));
            Assert.That(snapshot["wrong"].LastError, Is.EqualTo("HTTP 401: unauthorized: access denied"));
            Assert.That(snapshot["none"].LastError, Is.EqualTo("HTTP 401: unauthorized: access denied"));
        });
    }

    [Test]
    public async Task Probe_BasicAuth_HeaderIsUserColonPasswordInBase64()
    {
        await using var locked = await FakeUndercluster.StartAsync("12D3KooWLocked", ("gateway", "s3cret"));
        await using var host = await AdminTestHost.StartAsync(Options(
            ("good", locked.Url, new ClusterAuthOptions { Username = "gateway", Password = "s3cret", PasswordSource = "test" })));

        // base64("gateway:s3cret")
        Assert.That(locked.LastAuthorization, Is.EqualTo("Basic Z2F0ZXdheTpzM2NyZXQ="));
    }

    [Test]
    public async Task Probe_UnderclusterHangs_TimesOutOnItsOwnTimeout()
    {
        await using var slow = await FakeUndercluster.StartAsync("12D3KooWSlow");
        slow.Mode = FakeUnderclusterMode.Hang;
        var options = new GatewayOptions
        {
            Health = Health,
            Underclusters = [new UnderclusterOptions { Name = "slow", Url = slow.Url, Timeout = TimeSpan.FromSeconds(2) }],
        };
        var hostStart = StartWithoutWaitingAsync(options);
        await using var host = await hostStart;
        // The first probe is in flight (its timeout armed on the fake clock) once the fake saw it.
        await WaitForAsync(() => slow.Requests >= 1);

        host.Time.Advance(TimeSpan.FromSeconds(2));
        await host.WaitUntilAsync(s => s[0].State == UnderclusterState.Down);

        Assert.That(host.Health.Snapshot()[0].LastError, Is.EqualTo("timeout: no answer within 2 s"));
    }

    [Test]
    public async Task Metrics_AfterProbes_ExpositionPassesPromtoolAndReportsUp()
    {
        await using var alpha = await FakeUndercluster.StartAsync("12D3KooWAlpha");
        await using var host = await AdminTestHost.StartAsync(Options(("alpha", alpha.Url, null), ("gone", FakeUndercluster.UnusedUrl(), null)));

        using var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var promtool = await Promtool.CheckMetricsAsync(text);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"alpha\"} 1\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_up{undercluster=\"gone\"} 0\n"));
            Assert.That(text, Does.Contain("gateway_undercluster_probes_total{undercluster=\"gone\",outcome=\"connect_error\"} 1\n"));
            Assert.That(text, Does.Contain("# TYPE kestrel_active_connections gauge\n"));
            Assert.That(text, Does.Match(@"kestrel_active_connections\{[^}]*server_port=""\d+""[^}]*\} 1\n"));
            Assert.That(promtool.ExitCode, Is.Zero, promtool + "\n" + text);
            Assert.That(promtool.Stdout + promtool.Stderr, Is.Empty, promtool + "\n" + text);
        });
    }

    private static async Task<AdminTestHost> StartWithoutWaitingAsync(GatewayOptions options)
    {
        // A hanging undercluster never completes a first probe; start the host without waiting for one.
        return await AdminTestHost.StartAsync(options, waitForFirstProbes: false);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    private static GatewayOptions Options(params (string Name, Uri Url, ClusterAuthOptions? Auth)[] underclusters) => new()
    {
        Health = Health,
        Underclusters = [.. underclusters.Select(u => new UnderclusterOptions { Name = u.Name, Url = u.Url, Auth = u.Auth, Timeout = TimeSpan.FromSeconds(10) })],
    };

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static JsonElement Undercluster(JsonElement report, string name) =>
        report.GetProperty("underclusters").EnumerateArray().Single(u => u.GetProperty("name").GetString() == name);
}
