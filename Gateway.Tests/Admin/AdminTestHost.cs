using CompositeGateway.Admin;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Tests.Support;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.Time.Testing;

namespace CompositeGateway.Tests.Admin;

/// <summary>
/// A minimal host with just the admin surface (AddGatewayAdmin/MapGatewayAdmin) on real Kestrel
/// at 127.0.0.1:0, driven by a <see cref="FakeTimeProvider"/> so probe rounds happen on demand.
/// </summary>
internal sealed class AdminTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 4, 10, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private AdminTestHost(WebApplication app, FakeTimeProvider time, LogCollector logs)
    {
        _app = app;
        Time = time;
        Logs = logs;
        Url = new Uri(app.Urls.Single());
        Client = new HttpClient { BaseAddress = Url };
        Health = app.Services.GetRequiredService<UnderclusterHealth>();
    }

    public Uri Url { get; }
    public HttpClient Client { get; }
    public FakeTimeProvider Time { get; }
    public LogCollector Logs { get; }
    public UnderclusterHealth Health { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>The gateway identity every admin test host runs as (the inception check compares against it).</summary>
    public static GatewayIdentity Identity { get; } = GatewayIdentity.Generate();

    public static async Task<AdminTestHost> StartAsync(GatewayOptions options, bool waitForFirstProbes = true)
    {
        var time = new FakeTimeProvider(Start);
        var logs = new LogCollector();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(Identity);
        builder.Services.AddGatewayAdmin(options);

        var app = builder.Build();
        app.MapGatewayAdmin();
        await app.StartAsync();
        var host = new AdminTestHost(app, time, logs);
        if (waitForFirstProbes)
        {
            await host.WaitForProbesAsync();
        }

        return host;
    }

    /// <summary>Moves the fake clock, then waits (in real time, bounded) until every undercluster has been probed at or after the new time.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await WaitForProbesAsync();
    }

    public async Task WaitUntilAsync(Func<IReadOnlyList<UnderclusterHealthSnapshot>, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            // Take the signal before testing, so an update in between is not missed.
            var changed = Health.WaitForChangeAsync(timeout.Token);
            if (condition(Health.Snapshot()))
            {
                return;
            }

            try
            {
                await changed;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("health did not reach the expected state within 20 s: " + string.Join("; ", Health.Snapshot()));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task WaitForProbesAsync()
    {
        var now = Time.GetUtcNow();
        return WaitUntilAsync(snapshot => snapshot.All(s => s.LastProbe >= now));
    }
}
