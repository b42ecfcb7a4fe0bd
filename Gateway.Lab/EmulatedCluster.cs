using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;

using CompositeGateway.Ipld;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab.Ipfs;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// An in-process emulated ipfs-cluster: the REST API of <see cref="LabCluster"/> on a real Kestrel
/// listener. Tests start one or more with <see cref="StartAsync(EmulatedClusterOptions, TimeProvider?, CancellationToken)"/>, speak HTTP to
/// <see cref="BaseAddress"/>, assert on <see cref="State"/> and break things through
/// <see cref="Faults"/>, <see cref="SetPeerDown"/> and <see cref="GoDownAsync"/> / <see cref="ComeUpAsync"/>
/// (which really stop and restart listening, on the same port).
/// </summary>
internal sealed class EmulatedCluster : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly LabApi _api;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPEndPoint _endpoint;
    private WebApplication? _app;
    private CancellationTokenSource? _stopping;
    private LabIpfsFacet? _ipfs;
    private bool _disposed;

    private EmulatedCluster(EmulatedClusterOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        State = new LabCluster(options, time);
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EmulatedCluster>();
        _api = new LabApi(State, new LabControl(State, duration => DownForAsync(duration, CancellationToken.None)));
        EmulatedClusterOptions.TryParseListen(options.Listen, out _endpoint);
    }

    /// <summary>The simulated cluster: pinset, peers, per-peer status (<see cref="LabCluster.StatusOf"/>).</summary>
    public LabCluster State { get; }

    /// <summary>
    /// The W3C <c>traceparent</c> headers of the last requests received (at most <see cref="TraceParentsKept"/>), oldest
    /// first: lets a test check that a caller propagates its trace to the cluster's REST API.
    /// </summary>
    public IReadOnlyCollection<string> ReceivedTraceParents => [.. _traceParents];

    private const int TraceParentsKept = 1000;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _traceParents = new();

    public string Name => State.Options.Name;

    public IReadOnlyList<LabPeer> Peers => State.Peers;

    public LabFaultSwitch Faults => State.Faults;

    /// <summary>The bound address (the real port when the options asked for port 0).</summary>
    public IPEndPoint EndPoint => _endpoint;

    /// <summary><c>http://127.0.0.1:port/</c>, or <c>https://…</c> with <see cref="EmulatedClusterOptions.Tls"/>.</summary>
    public Uri BaseAddress => new($"{(State.Options.Tls is null ? "http" : "https")}://{_endpoint}/");

    /// <summary>
    /// The last requests received (at most <see cref="RequestsKept"/>), oldest first, as the server saw them before any
    /// decoding: lets a test check which URLs a client really called, and with which authorization scheme.
    /// </summary>
    public IReadOnlyCollection<LabRequest> ReceivedRequests => [.. _requests];

    private const int RequestsKept = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentQueue<LabRequest> _requests = new();

    public bool IsUp => _app is not null;

    /// <summary>
    /// <c>http://127.0.0.1:port/</c> of the cluster's IPFS facet (a Kubo RPC API over the blocks the
    /// cluster holds; clients append <c>api/v0/…</c>), or null without <see cref="EmulatedClusterOptions.IpfsListen"/>.
    /// </summary>
    public Uri? IpfsBaseAddress => _ipfs?.BaseAddress;

    /// <summary>Validates the options (throws <see cref="ArgumentException"/> listing every problem) and starts listening.</summary>
    public static Task<EmulatedCluster> StartAsync(EmulatedClusterOptions options, TimeProvider? timeProvider, CancellationToken cancellationToken) =>
        StartAsync(options, timeProvider, loggerFactory: null, cancellationToken);

    /// <summary>As <see cref="StartAsync(EmulatedClusterOptions, TimeProvider?, CancellationToken)"/>, logging through <paramref name="loggerFactory"/>.</summary>
    public static async Task<EmulatedCluster> StartAsync(
        EmulatedClusterOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        if (options.Validate().Concat(options.Faults.Validate()).ToList() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"emulated cluster {options.Name}: " + string.Join("; ", errors), nameof(options));
        }

        var cluster = new EmulatedCluster(options, timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        cluster.StartTrackers();
        await cluster.ComeUpAsync(cancellationToken);
        if (options.IpfsListen is { } ipfsListen && EmulatedClusterOptions.TryParseListen(ipfsListen, out var ipfsEndPoint))
        {
            try
            {
                cluster._ipfs = await LabIpfsFacet.StartAsync(cluster.State, ipfsEndPoint, cluster._loggerFactory, cancellationToken);
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }

            LabLog.IpfsListening(cluster._logger, cluster.Name, cluster._ipfs.BaseAddress);
        }

        return cluster;
    }

    /// <summary>Per peer, the tracker driving its real IPFS daemon (null: simulated); empty without <see cref="EmulatedClusterOptions.IpfsApi"/>.</summary>
    public IReadOnlyList<LabPeerTracker?> Trackers => State.Trackers ?? [];

    public void SetPeerDown(int index, bool down) => Faults.SetPeerDown(index, down);

    /// <summary>The pin as <c>GET /allocations/{cid}</c> would show it, or null when not in the pinset.</summary>
    public ClusterPin? GetPin(string cid) =>
        LabCids.TryParse(cid, out var canonical, out _) && State.Store.TryGet(canonical, State.NowTicks, out var pin)
            ? PinViews.ReadBack(canonical, pin)
            : null;

    /// <summary>The TrackerStatus string peer <paramref name="peerIndex"/> reports for <paramref name="cid"/> right now.</summary>
    public string PeerStatus(string cid, int peerIndex) =>
        State.StatusOf(LabCids.TryParse(cid, out var canonical, out _) ? canonical : cid, peerIndex);

    /// <summary>Peer IDs (by index order) of the peers whose daemons hold <paramref name="cid"/>; empty when none does.</summary>
    public IReadOnlyList<string> HeldBy(Cid cid) =>
        State.Blocks.TryGet(cid, out var block) ? [.. Peers.Where(p => ((block.Peers >> p.Index) & 1) != 0).Select(p => p.Id)] : [];

    /// <inheritdoc cref="HeldBy(Cid)"/>
    public IReadOnlyList<string> HeldBy(string cid) => HeldBy(Cid.Parse(cid));

    /// <summary>Whether some peer of the cluster holds <paramref name="cid"/>.</summary>
    public bool HasBlock(Cid cid) => State.Blocks.Contains(cid);

    /// <inheritdoc cref="HasBlock(Cid)"/>
    public bool HasBlock(string cid) => HasBlock(Cid.Parse(cid));

    /// <summary>Blocks of <paramref name="root"/>'s DAG that no peer holds (empty = complete).</summary>
    public IReadOnlyList<Cid> MissingBlocks(Cid root) => State.Blocks.Walk(root).Missing;

    /// <summary>Bulk-loads synthetic pins (see <see cref="LabPinning.Seed"/>), optionally all with <paramref name="metadata"/>; returns the first seed index.</summary>
    public long Seed(int count, long sizePerPin = 0, string namePrefix = "", IReadOnlyDictionary<string, string>? metadata = null) =>
        LabPinning.Seed(State, count, sizePerPin, namePrefix, metadata);

    /// <summary>Stops listening: new connections are refused, open ones are closed, hanging requests end.</summary>
    public async Task GoDownAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_app is null)
            {
                return;
            }

            await _stopping!.CancelAsync();
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
            _app = null;
            _stopping.Dispose();
            _stopping = null;
            LabLog.WentDown(_logger, Name, BaseAddress);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Listens again, on the same port as before (the OS-chosen one after the first start).</summary>
    public async Task ComeUpAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_app is not null)
            {
                return;
            }

            var stopping = new CancellationTokenSource();
            var app = Build(stopping.Token);
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            _endpoint = new IPEndPoint(_endpoint.Address, new Uri(address).Port);
            _app = app;
            _stopping = stopping;
            LabLog.Listening(_logger, Name, BaseAddress, Peers.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Down now, up again after <paramref name="duration"/> on the cluster's clock.</summary>
    public async Task DownForAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        await GoDownAsync(cancellationToken);
        await Task.Delay(duration, State.Time, cancellationToken);
        try
        {
            await ComeUpAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            LabLog.ComeBackFailed(_logger, Name, BaseAddress, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await GoDownAsync();
        foreach (var tracker in Trackers)
        {
            if (tracker is not null)
            {
                await tracker.DisposeAsync();
            }
        }

        if (_ipfs is not null)
        {
            await _ipfs.DisposeAsync();
            _ipfs = null;
        }

        _disposed = true;
        _gate.Dispose();
    }

    private void StartTrackers()
    {
        var options = State.Options;
        if (!Peers.Any(p => options.DaemonOf(p.Index) is not null))
        {
            return;
        }

        var logger = _loggerFactory.CreateLogger<LabPeerTracker>();
        var trackers = Peers.Select(p => options.DaemonOf(p.Index) is { } api ? new LabPeerTracker(State, p, new Uri(api), logger) : null).ToList();
        State.Trackers = trackers;
        foreach (var tracker in trackers)
        {
            tracker?.Start();
        }
    }

    /// <summary>HTTPS with the configured certificate; with a client CA, a client certificate chaining to it is required.</summary>
    private static void UseTls(ListenOptions listen, LabTlsOptions tls)
    {
        var certificate = tls.LoadCertificate();
        var clientCas = tls.LoadClientCas();
        listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            if (clientCas is null)
            {
                return;
            }

            https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (client, _, _) =>
            {
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(clientCas);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(client);
            };
        });
    }

    private WebApplication Build(CancellationToken stopping)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddLogging();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        if (State.Options.Tls is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            // ipfs-cluster has no body limit (read_timeout 0): /add uploads may be any size.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(_endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (State.Options.Tls is { } tls)
                {
                    UseTls(listen, tls);
                }
            });
        });
        var app = builder.Build();
        app.Run(context =>
        {
            var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var scheme = context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization.Split(' ')[0] : "";
            _requests.Enqueue(new LabRequest(context.Request.Method, raw, scheme));
            while (_requests.Count > RequestsKept && _requests.TryDequeue(out _))
            {
            }

            if (context.Request.Headers.TraceParent is [{ } traceParent, ..])
            {
                _traceParents.Enqueue(traceParent);
                while (_traceParents.Count > TraceParentsKept && _traceParents.TryDequeue(out _))
                {
                }
            }

            return _api.HandleAsync(context, stopping);
        });
        return app;
    }
}

/// <summary>One request an emulated cluster received: method, target as sent (path and query, still escaped), authorization scheme (empty: none).</summary>
internal sealed record LabRequest(string Method, string Target, string AuthorizationScheme);
