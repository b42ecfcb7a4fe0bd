using CompositeGateway.Clusters;
using CompositeGateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace CompositeGateway.Tests.Clusters;

/// <summary>Retries (GET only), attempt timeouts and the circuit breaker, counted on the server side.</summary>
public sealed class ClusterResilienceTests
{
    private const string Cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    private RecordedClusterServer _server = null!;

    [SetUp]
    public async Task StartAsync() => _server = await RecordedClusterServer.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task Get_TransientStatusesThenSuccess_RetriedUntilSuccess()
    {
        using var harness = new ClusterClientHarness(_server.Url);
        _server.On("GET", "/id", RecordedResponse.Error(503, "starting"), RecordedResponse.Error(502, "proxy"), RecordedResponse.Golden("id.json"));

        var result = await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True, result.ToString());
        Assert.That(_server.Count("GET", "/id"), Is.EqualTo(3));
    }

    [Test]
    public async Task Get_AlwaysUnavailable_GivesUpAfterMaxRetries()
    {
        using var harness = new ClusterClientHarness(_server.Url);
        _server.On("GET", "/id", RecordedResponse.Error(503, "down"));

        var result = await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(result.Failure?.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.ServiceUnavailable));
        Assert.That(_server.Count("GET", "/id"), Is.EqualTo(1 + ClusterClientHarness.FastSettings.MaxRetryAttempts));
    }

    [Test]
    public async Task Get_500_NotRetried()
    {
        using var harness = new ClusterClientHarness(_server.Url);
        _server.On("GET", "/pins/" + Cid, RecordedResponse.Error(500, "boom"));

        await harness.Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, CancellationToken.None);

        Assert.That(_server.Count("GET", "/pins/" + Cid), Is.EqualTo(1));
    }

    [Test]
    public async Task Get_Hangs_OneBudgetForEveryAttempt()
    {
        // Issue #11 item 4: a hanging GET used to be tried 1 + MaxRetryAttempts times, each with the whole timeout.
        var timeout = TimeSpan.FromSeconds(1);
        using var harness = new ClusterClientHarness(_server.Url, timeout: timeout);
        _server.On("GET", "/id", RecordedResponse.Hanging());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await harness.Client.GetIdAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Timeout), result.ToString());
            Assert.That(result.Failure?.TimeoutAfter, Is.EqualTo(timeout));
            Assert.That(_server.Count("GET", "/id"), Is.EqualTo(1), "the hang spent the budget: no time left to retry");
            // Retries inside the budget would make it 3 s; a loaded machine may add some, never a whole budget.
            Assert.That(elapsed, Is.LessThan(timeout * 2), $"answered after {elapsed.TotalSeconds:0.00}s");
        });
    }

    [Test]
    public async Task Get_QuickFailuresThenHang_RetriesShareOneBudget()
    {
        var timeout = TimeSpan.FromSeconds(1);
        using var harness = new ClusterClientHarness(_server.Url, timeout: timeout);
        _server.On("GET", "/id", RecordedResponse.Error(503, "starting"), RecordedResponse.Hanging());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await harness.Client.GetIdAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Timeout), result.ToString());
            Assert.That(_server.Count("GET", "/id"), Is.EqualTo(2), "the 503 is retried; the hang then spends what is left");
            Assert.That(elapsed, Is.LessThan(timeout * 2), $"answered after {elapsed.TotalSeconds:0.00}s");
        });
    }

    [Test]
    public async Task Isolate_CallInFlight_FailsAtOnceWithProbeReason()
    {
        // Issue #11 item 3: a call already waiting on a hung undercluster used to wait out its whole timeout.
        using var harness = new ClusterClientHarness(_server.Url, timeout: TimeSpan.FromSeconds(30));
        _server.On("GET", "/allocations/" + Cid, RecordedResponse.Hanging());
        var call = harness.Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);
        await WaitUntilAsync(() => _server.Count("GET", "/allocations/" + Cid) == 1);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await harness.Client.IsolateAsync("GET /id: no answer in 5s (test)", CancellationToken.None);
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen), result.ToString());
            Assert.That(result.Failure!.Detail, Does.StartWith(ClusterFailureMessages.HeldOpenByProbe).And.Contain("no answer in 5s (test)"));
            Assert.That(ClusterFailureMessages.Describe(result.Failure), Does.Contain("health probe").And.Contain("no answer in 5s (test)"));
            Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), $"answered {elapsed.TotalSeconds:0.00}s after the probe's verdict");
        });
    }

    [Test]
    public async Task Isolate_StreamInFlight_EndsWithProbeReason()
    {
        // One item, then nothing until the connection is dropped 20 s later.
        var cut = RecordedResponse.Stream("""{"cid":"bafyone","peer_map":{}}""", """{"cid":"bafytwo","peer_map":{}}""");
        _server.On("GET", "/pins", cut with { DropAfterLines = 1, DropWhen = new TaskCompletionSource().Task });
        using var harness = new ClusterClientHarness(_server.Url);
        var stream = harness.Client.StreamStatusAsync(null, null, local: false, CancellationToken.None);
        var items = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        var reading = Task.Run(async () =>
        {
            await foreach (var item in stream)
            {
                items.Enqueue(item.Cid);
            }
        });
        await WaitUntilAsync(() => !items.IsEmpty);

        await harness.Client.IsolateAsync("connect: refused (test)", CancellationToken.None);
        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        var completion = await stream.Completion;

        Assert.That(completion.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen), completion.ToString());
        Assert.That(items, Is.EqualTo(new[] { "bafyone" }));
    }

    [Test]
    public async Task Isolate_ProbeCallInFlight_NotCancelled()
    {
        var golden = RecordedResponse.Golden("id.json");
        _server.On("GET", "/id", async context =>
        {
            await Task.Delay(300, context.RequestAborted);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(golden.Body!, context.RequestAborted);
        });
        using var harness = new ClusterClientHarness(_server.Url);
        var probe = harness.Client.GetIdAsync(ClusterCallMode.HealthProbe, CancellationToken.None);
        await WaitUntilAsync(() => _server.Count("GET", "/id") == 1);

        await harness.Client.IsolateAsync("test", CancellationToken.None);

        Assert.That((await probe).IsSuccess, Is.True, "the probe is how the undercluster is seen to come back");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting for the server to see the request");
            await Task.Delay(10);
        }
    }

    [Test]
    public async Task Post_Unavailable_NeverRetried()
    {
        using var harness = new ClusterClientHarness(_server.Url);
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Error(503, "down"), RecordedResponse.Golden("pin.json"));

        var result = await harness.Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(_server.Count("POST", "/pins/" + Cid), Is.EqualTo(1));
    }

    [Test]
    public async Task Delete_Hangs_NeverRetried()
    {
        using var harness = new ClusterClientHarness(_server.Url, timeout: TimeSpan.FromMilliseconds(200));
        _server.On("DELETE", "/pins/" + Cid, RecordedResponse.Hanging());

        var result = await harness.Client.UnpinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), CancellationToken.None);

        Assert.That(result.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Timeout));
        Assert.That(_server.Count("DELETE", "/pins/" + Cid), Is.EqualTo(1));
    }

    [Test]
    public async Task Get_NoHttpResponse_RetriedWhilePostIsNot()
    {
        // A listener that reads the request and answers bytes that are not HTTP: a transport-level
        // failure that, unlike a refusal, can be counted. (A bare close would not do: SocketsHttpHandler
        // itself resends requests whose connection closed before any response byte.)
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                await socket.ReceiveAsync(new byte[4096], stop.Token);
                Interlocked.Increment(ref accepted);
                await socket.SendAsync("NOT-HTTP\r\n\r\n"u8.ToArray(), stop.Token);
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            }
        });
        using var harness = new ClusterClientHarness(new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}"));

        var post = await harness.Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);
        var postConnections = Volatile.Read(ref accepted);
        var get = await harness.Client.GetStatusAsync(CompositeGateway.Ipld.Cid.Parse(Cid), local: false, CancellationToken.None);
        var getConnections = Volatile.Read(ref accepted) - postConnections;
        await stop.CancelAsync();
        await acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.That(get.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Connect), get.ToString());
        Assert.That(post.Failure?.Kind, Is.EqualTo(ClusterFailureKind.Connect), post.ToString());
        Assert.That(postConnections, Is.EqualTo(1));
        Assert.That(getConnections, Is.EqualTo(1 + ClusterClientHarness.FastSettings.MaxRetryAttempts));
    }

    [Test]
    public async Task CircuitBreaker_FailuresOpenIt_CallsRejectedUntilBreakThenProbeClosesIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));
        var settings = ClusterClientHarness.FastSettings with
        {
            MaxRetryAttempts = 0,
            BreakerMinimumThroughput = 3,
            BreakerFailureRatio = 0.5,
            BreakerSamplingDuration = TimeSpan.FromSeconds(30),
            BreakerBreakDuration = TimeSpan.FromSeconds(10),
        };
        using var harness = new ClusterClientHarness(_server.Url, settings, time);
        var client = harness.Client;
        var transitions = new List<CircuitState>();
        client.CircuitStateChanged += (_, state) => transitions.Add(state);
        _server.On("POST", "/pins/" + Cid,
            RecordedResponse.Error(503, "down"), RecordedResponse.Error(503, "down"), RecordedResponse.Error(503, "down"), RecordedResponse.Golden("pin.json"));

        for (var i = 0; i < 3; i++)
        {
            await client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);
        }

        var rejected = await client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);
        Assert.That(rejected.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen));
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
        Assert.That(_server.Count("POST", "/pins/" + Cid), Is.EqualTo(3), "an open circuit sends nothing");

        time.Advance(TimeSpan.FromSeconds(11));
        var probe = await client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);

        Assert.That(probe.IsSuccess, Is.True, probe.ToString());
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
        Assert.That(transitions, Is.EqualTo(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed }));
        Assert.That(_server.Count("POST", "/pins/" + Cid), Is.EqualTo(4));
    }

    [Test]
    public async Task CircuitBreaker_HalfOpenProbeFails_OpensAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));
        var settings = ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0, BreakerMinimumThroughput = 2, BreakerBreakDuration = TimeSpan.FromSeconds(10) };
        using var harness = new ClusterClientHarness(_server.Url, settings, time);
        _server.On("GET", "/id", RecordedResponse.Error(504, "timeout upstream"));

        await harness.Client.GetIdAsync(CancellationToken.None);
        await harness.Client.GetIdAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(11));
        var probe = await harness.Client.GetIdAsync(CancellationToken.None);
        var after = await harness.Client.GetIdAsync(CancellationToken.None);

        Assert.That(probe.Failure?.Kind, Is.EqualTo(ClusterFailureKind.HttpStatus));
        Assert.That(after.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen));
        Assert.That(harness.Client.CircuitState, Is.EqualTo(CircuitState.Open));
        Assert.That(_server.Count("GET", "/id"), Is.EqualTo(3));
    }

    [Test]
    public async Task Isolate_ProbeSawItDown_CallsFailFastUntilClosed()
    {
        var settings = ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0 };
        using var harness = new ClusterClientHarness(_server.Url, settings);
        var client = harness.Client;
        _server.On("GET", "/id", RecordedResponse.Golden("id.json"));

        await client.IsolateAsync("connect: refused (test)", CancellationToken.None);
        var held = await client.GetIdAsync(CancellationToken.None);
        var probe = await client.GetIdAsync(ClusterCallMode.HealthProbe, CancellationToken.None);
        var stateWhileHeld = client.CircuitState;
        await client.CloseCircuitAsync(CancellationToken.None);
        var after = await client.GetIdAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(held.Failure?.Kind, Is.EqualTo(ClusterFailureKind.CircuitOpen));
            Assert.That(held.Failure!.Detail, Does.StartWith(ClusterFailureMessages.HeldOpenByProbe).And.Contain("connect: refused (test)"));
            Assert.That(ClusterFailureMessages.Describe(held.Failure), Does.Contain("health probe").And.Contain("circuit open"));
            Assert.That(stateWhileHeld, Is.EqualTo(CircuitState.Isolated));
            Assert.That(probe.IsSuccess, Is.True, "probes bypass the breaker, so they see the undercluster come back");
            Assert.That(after.IsSuccess, Is.True, after.ToString());
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
            Assert.That(_server.Count("GET", "/id"), Is.EqualTo(2), "the held call sent nothing");
        });
    }

    [Test]
    public async Task CloseCircuit_BreakerTrippedByCalls_KeepsItsBreak()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));
        var settings = ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0, BreakerMinimumThroughput = 2, BreakerBreakDuration = TimeSpan.FromSeconds(10) };
        using var harness = new ClusterClientHarness(_server.Url, settings, time);
        _server.On("GET", "/id", RecordedResponse.Error(503, "down"));

        await harness.Client.GetIdAsync(CancellationToken.None);
        await harness.Client.GetIdAsync(CancellationToken.None);
        await harness.Client.CloseCircuitAsync(CancellationToken.None);

        Assert.That(harness.Client.CircuitState, Is.EqualTo(CircuitState.Open), "only a circuit the probe isolated is closed by the probe");
    }

    [Test]
    public async Task CircuitBreaker_ApplicationErrors_DoNotOpenIt()
    {
        var settings = ClusterClientHarness.FastSettings with { MaxRetryAttempts = 0, BreakerMinimumThroughput = 2 };
        using var harness = new ClusterClientHarness(_server.Url, settings);
        _server.On("POST", "/pins/" + Cid, RecordedResponse.Error(500, "not enough peers to allocate CID"));

        for (var i = 0; i < 5; i++)
        {
            await harness.Client.PinAsync(CompositeGateway.Ipld.Cid.Parse(Cid), null, CancellationToken.None);
        }

        Assert.That(harness.Client.CircuitState, Is.EqualTo(CircuitState.Closed));
        Assert.That(_server.Count("POST", "/pins/" + Cid), Is.EqualTo(5));
    }
}
