using System.Net;
using System.Net.Sockets;
using CompositeGateway.Admin;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;
using CompositeGateway.Content;
using CompositeGateway.Forwarding;
using CompositeGateway.Identity;
using CompositeGateway.KuboRpc;
using CompositeGateway.Security;
using CompositeGateway.Telemetry;
using CompositeGateway.Underclusters;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CompositeGateway.Hosting;

/// <summary>
/// The single composition point of the running gateway: one <see cref="WebApplication"/> with two Kestrel
/// listeners (<c>listen</c> for the Kubo RPC API, <c>admin_listen</c> for operators) whose route sets are
/// kept apart by <see cref="ListenerRouting"/>. Each feature joins with one <c>AddXxx</c> and one
/// <c>MapXxx</c> line in <see cref="Create"/>.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>Kestrel's per-connection response buffer limit (see <see cref="Create"/>).</summary>
    internal const long ResponseBufferBytes = 256 * 1024;

    private readonly WebApplication app;
    private readonly Listeners listeners;
    private readonly GatewayOptions options;
    private readonly IdentityLoadResult identity;

    private GatewayHost(WebApplication app, Listeners listeners, GatewayOptions options, IdentityLoadResult identity)
    {
        this.app = app;
        this.listeners = listeners;
        this.options = options;
        this.identity = identity;
    }

    public IServiceProvider Services => app.Services;

    /// <summary>The bound Kubo RPC address once started (the real port when <c>listen</c> asked for port 0).</summary>
    public EndPoint KuboRpcEndPoint => listeners.Kubo?.EndPoint ?? throw new InvalidOperationException("not started");

    /// <summary>The bound admin address once started.</summary>
    public EndPoint AdminEndPoint => listeners.Admin?.EndPoint ?? throw new InvalidOperationException("not started");

    /// <summary>The bound addresses of <c>kubo_rpc.unauthenticated_listen</c>, in its order, once started.</summary>
    public IReadOnlyList<EndPoint> UnauthenticatedKuboRpcEndPoints => [.. listeners.Unauthenticated.Select(l => l.EndPoint)];

    /// <summary>Base URL of the Kubo RPC listener: <c>https</c> when <c>tls</c> is set.</summary>
    public Uri KuboRpcUrl => BaseUrl(KuboRpcEndPoint, options.Tls is not null);

    /// <summary>Base URL of the admin listener: <c>https</c> when <c>tls</c> is set.</summary>
    public Uri AdminUrl => BaseUrl(AdminEndPoint, options.Tls is not null);

    /// <summary>HTTP base URL of a bound TCP endpoint, e.g. for tests: <c>http://127.0.0.1:41234/</c>.</summary>
    public static Uri BaseUrl(EndPoint endPoint, bool tls = false) => endPoint is IPEndPoint ip
        ? new Uri($"{(tls ? "https" : "http")}://{ip}/")
        : throw new InvalidOperationException($"{endPoint} is not a TCP endpoint");

    /// <summary>Composes the gateway from validated options and a loaded identity; nothing is bound until started.</summary>
    /// <param name="options">Validated configuration.</param>
    /// <param name="identity">The loaded (or just created) identity key, with any warnings to log at start.</param>
    /// <param name="logging">Console logging choices from the command line.</param>
    /// <param name="configure">Extra endpoints or middleware after the gateway's own, for tests.</param>
    public static GatewayHost Create(GatewayOptions options, IdentityLoadResult identity, LoggingOptions logging, Action<WebApplication>? configure = null)
    {
        if (!identity.Succeeded)
        {
            throw new ArgumentException("the identity must be loaded", nameof(identity));
        }

        // The empty builder reads no appsettings.json, ASPNETCORE_* variables or command-line switches: the
        // gateway's only configuration is gateway.yaml (+ COMPOSITE_GATEWAY_* overrides), validated beforehand.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "composite-gateway",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var listeners = new Listeners();
        // Loaded before anything binds, so that a certificate that went bad since check-config stops the start.
        var certificate = options.Tls is { } tls ? new ReloadingCertificate(tls, TimeProvider.System) : null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ApplyGoLimits();
            // Kestrel pauses a response's writer once this much waits for the socket (64 KiB by default, one read of
            // YARP's copy loop): a little more lets the next read from an IPFS daemon overlap the send of the last one
            // in a forwarded cat, at a bounded cost per connection (docs/forwarding.md "Performance").
            kestrel.Limits.MaxResponseBufferSize = ResponseBufferBytes;
            listeners.Kubo = Listen(kestrel, ListenAddress.Parse(options.Listen), GatewayListener.KuboRpc, certificate);
            listeners.Admin = Listen(kestrel, ListenAddress.Parse(options.AdminListen), GatewayListener.Admin, certificate);
            foreach (var address in options.KuboRpc.UnauthenticatedListen)
            {
                // Never TLS: these serve the Go peer, which speaks plain HTTP, on loopback or a unix socket only.
                listeners.Unauthenticated.Add(Listen(kestrel, ListenAddress.Parse(address), GatewayListener.KuboRpc, null, ListenerRouting.TagUnauthenticated));
            }
        });
        if (certificate is not null)
        {
            // Through a factory, so that the container disposes it (and its reload timer) with the host.
            builder.Services.AddSingleton(_ => certificate);
        }
        builder.Services.AddRoutingCore();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Routing.MatcherPolicy, ListenerRouting.ListenerMatcherPolicy>());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        ConfigureLogging(builder.Logging, logging);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(identity.Identity);
        // The one place the undercluster HTTP clients are made: health probes and composition share them.
        builder.Services.AddClusterClients(options);
        builder.Services.AddGatewayAdmin(options);
        builder.Services.AddGatewaySecurity(options);
        builder.Services.AddComposition(options.PinPath, _ => new GatewayOwner(identity.Identity!.PeerId.ToString()), options.Placement);
        builder.Services.AddContent();
        builder.Services.AddContentAdd();
        builder.Services.AddKuboRpc(options.KuboRpc);
        builder.Services.AddForwarding(options);
        // The one place trace export is switched on (telemetry.otlp.endpoint); off, no span is recorded.
        builder.Services.AddGatewayTracing(options.Telemetry);
        builder.Services.AddSingleton<INodeIdentity>(new NodeIdentity(identity.Identity!.PeerId.ToString(), identity.Identity.PublicKeyBase64));

        var app = builder.Build();
        app.UseRequestTracking();
        app.UseIncomingTraceContext();
        // Before routing and every other reader of the request, on both listeners, as Go refuses such a head.
        app.UseHeaderValueRefusal();
        // Kubo's browser protections guard the Kubo RPC listener only; /metrics and /ready keep their own rules.
        // Authorization runs after the browser policy (so a refusal carries the CORS headers a page needs to read it) and
        // before any endpoint: a refused request's body is never read and no undercluster is called (docs/security.md).
        // Neither needs the matched endpoint, so both run before routing, and a forwarded command leaves right after
        // them without being routed (docs/forwarding.md "Performance").
        app.UseWhen(http => ListenerRouting.ListenerOf(http) == GatewayListener.KuboRpc, kubo =>
        {
            kubo.UseKuboBrowserPolicy();
            kubo.UseKuboAuthorization(ListenerRouting.RequiresAuthorization);
            kubo.UseKuboForwardedCommands();
        });
        if (options.AdminAuth is not null)
        {
            // Only with a token to check: otherwise every request would still pay for the listener test.
            app.UseWhen(http => ListenerRouting.ListenerOf(http) == GatewayListener.Admin, admin => admin.UseAdminToken());
        }

        app.UseRouting();
        app.ForListener(GatewayListener.KuboRpc).MapKuboRpc();
        app.ForListener(GatewayListener.KuboRpc).MapKuboNotFound();
        app.ForListener(GatewayListener.Admin).MapGatewayAdmin();
        configure?.Invoke(app);
        return new GatewayHost(app, listeners, options, identity);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // The background services start before Kestrel binds. When the bind fails, the health monitor's first probe
            // may be in flight: stopped here, it ends before the host is disposed under it, instead of meeting a disposed
            // service container and logging a stack trace beside the one-line start-up error.
            await app.StopAsync(CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CompositeGateway.Hosting");
        if (options.ConfigFile is { } file)
        {
            HostingLog.ConfigurationLoaded(logger, file);
        }

        if (identity.Created)
        {
            HostingLog.IdentityCreated(logger, options.IdentityFile);
        }

        foreach (var warning in identity.Warnings)
        {
            HostingLog.IdentityWarning(logger, warning);
        }

        HostingLog.PeerIdentity(logger, identity.Identity!.PeerId.ToString(), options.IdentityFile);
        foreach (var warning in SecretFiles.Warnings(options))
        {
            HostingLog.SecretFileWarning(logger, warning);
        }

        foreach (var undercluster in options.Underclusters)
        {
            HostingLog.Undercluster(logger, undercluster.Name, undercluster.Url);
            if (undercluster.Tls is { InsecureSkipVerify: true })
            {
                HostingLog.InsecureSkipVerify(logger, undercluster.Name, undercluster.Url);
            }
        }

        HostingLog.KuboRpcListening(logger, Describe(KuboRpcEndPoint));
        if (options.KuboRpc.Authorizations.Count > 0)
        {
            HostingLog.KuboRpcAuthorization(logger, Describe(KuboRpcEndPoint), options.KuboRpc.Authorizations.Count);
        }

        foreach (var endPoint in UnauthenticatedKuboRpcEndPoints)
        {
            if (endPoint is UnixDomainSocketEndPoint && endPoint.ToString() is { } path && !OperatingSystem.IsWindows())
            {
                // Owner and group (the cluster peer's) may connect; others may not. Kestrel leaves the mode to the umask.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }

            HostingLog.UnauthenticatedKuboRpcListening(logger, Describe(endPoint));
        }

        HostingLog.AdminListening(logger, Describe(AdminEndPoint));
        app.Services.GetService<ReloadingCertificate>()?.Start(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CompositeGateway.Security"));
    }

    /// <summary>Starts, then runs until SIGTERM/SIGINT or <paramref name="cancellationToken"/>, then stops gracefully within <c>shutdown_timeout</c>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static ListenOptions Listen(
        KestrelServerOptions kestrel, ListenAddress address, GatewayListener listener, ReloadingCertificate? certificate, Action<ListenOptions>? tag = null)
    {
        ListenOptions? captured = null;
        void Configure(ListenOptions listenOptions)
        {
            if (certificate is not null && address.UnixSocketPath is null)
            {
                // Asked at every handshake, so a rotated certificate is served without a restart.
                listenOptions.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(certificate.Current) });
            }

            ListenerRouting.TagConnections(listenOptions, listener);
            tag?.Invoke(listenOptions);
            if (listener == GatewayListener.KuboRpc)
            {
                // Kubo's API is HTTP/1.1, and the connection wrapper (Kestrel's refusals, a stream's cut) assumes one
                // request at a time: with TLS, ALPN would otherwise let a client pick HTTP/2.
                listenOptions.Protocols = HttpProtocols.Http1;
                KestrelRejections.AnswerInKuboJson(listenOptions);
            }

            captured = listenOptions;
        }

        if (address.UnixSocketPath is { } path)
        {
            StaleUnixSocket.RemoveIfAbandoned(path);
            kestrel.ListenUnixSocket(path, Configure);
        }
        else if (address.IsLocalhost && address.Port != 0)
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else
        {
            // Kestrel cannot pick a dynamic port for "localhost" (two sockets), so localhost:0 binds IPv4 loopback.
            kestrel.Listen(address.Address ?? IPAddress.Loopback, address.Port, Configure);
        }

        return captured!;
    }

    private static string Describe(EndPoint endPoint) => endPoint switch
    {
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        IPEndPoint ip => ip.ToString(),
        _ => endPoint.ToString() ?? "?",
    };

    private static void ConfigureLogging(ILoggingBuilder logging, LoggingOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.Level);
        // Lines written inside a Kubo request carry its trace (W3C ids, also propagated to undercluster calls) in their scopes.
        logging.Configure(factory => factory.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // Framework chatter stays out unless the operator asked for debug output.
        var frameworkLevel = options.Level <= LogLevel.Debug ? options.Level : (LogLevel)Math.Max((int)options.Level, (int)LogLevel.Warning);
        logging.AddFilter("Microsoft", frameworkLevel);
        // Polly's telemetry is off for the undercluster pipelines (ClusterResilience); any other Polly user stays quiet too:
        // the gateway's own lines say what matters.
        logging.AddFilter("Polly", frameworkLevel);
        // ASP.NET Core starts an Activity and a logging scope for every request whenever this logger is on at any level
        // (its lines are Debug/Information); off, a forwarded request costs a few microseconds less and no Activity exists
        // unless traces are exported or the caller sent a traceparent (Telemetry/IncomingTraceContext.cs).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", options.Level <= LogLevel.Debug ? options.Level : LogLevel.None);
        // The generic host logs a listener that cannot bind ("Hosting failed to start") with the whole stack trace;
        // the run command reports it in one line, so the trace is shown at debug level only. Critical (a crashed
        // background service stopping the host) still gets through.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Critical);
        // YARP logs each forwarding failure that Forwarding/ForwardingLog reports with the command and undercluster.
        logging.AddFilter("Yarp", options.Level <= LogLevel.Debug ? options.Level : LogLevel.Error);
        if (options.Format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.IncludeScopes = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    /// <summary>The Kestrel listen options, captured when Kestrel is configured; their endpoints are the bound ones after start.</summary>
    private sealed class Listeners
    {
        public ListenOptions? Kubo { get; set; }

        public ListenOptions? Admin { get; set; }

        public List<ListenOptions> Unauthenticated { get; } = [];
    }
}
