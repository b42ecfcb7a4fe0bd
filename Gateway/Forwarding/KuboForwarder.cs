using System.Net;
using CompositeGateway.Configuration;
using Microsoft.AspNetCore.Http.Features;
using CompositeGateway.KuboRpc;
using Yarp.ReverseProxy.Forwarder;

namespace CompositeGateway.Forwarding;

/// <summary>
/// Sends Kubo RPC commands the gateway does not answer to an undercluster's IPFS daemon through YARP's
/// <see cref="IHttpForwarder"/>: request and response bodies stream through without buffering, the caller's
/// disconnect cancels the daemon's request, a daemon failure mid-stream ends the answer without its clean end
/// (<see cref="ForwardTransformer"/>, <see cref="CutOnReset"/>). Failures before the answer starts become Kubo's JSON error (docs/development/style.md §6).
/// </summary>
internal sealed class KuboForwarder : IUnansweredCommands, IDisposable
{
    /// <summary>Metrics label of commands forwarded under <c>*</c> (the command set stays closed).</summary>
    public const string WildcardLabel = "forwarded";

    private readonly IHttpForwarder _forwarder;
    private readonly DaemonChooser _chooser;
    private readonly ForwardOptions _options;
    private readonly ILogger<KuboForwarder> _logger;
    private readonly HashSet<string> _listed;

    public KuboForwarder(IHttpForwarder forwarder, DaemonChooser chooser, ForwardOptions options, ILogger<KuboForwarder> logger)
    {
        _forwarder = forwarder;
        _chooser = chooser;
        _options = options;
        _logger = logger;
        _listed = new HashSet<string>(options.Commands, StringComparer.Ordinal);
        Client = CreateClient();

        // Configuration cannot see the Kubo command table (it sits below the Kubo surface), so the check is made here.
        foreach (var command in options.Commands)
        {
            if (KuboCommandTable.TryResolve(command, out var own, out var argument) && argument is null)
            {
                ForwardingLog.OwnCommandListed(logger, command, own.Path);
            }
        }
    }

    /// <summary>The one connection pool to the daemons (also used for <c>extract_headers_extra</c>).</summary>
    public HttpMessageInvoker Client { get; }

    public DaemonChooser Chooser => _chooser;

    /// <summary>
    /// Forwards the request for <paramref name="path"/> (after <c>/api/v0/</c>), or answers why not. Returns the metrics label.
    /// </summary>
    Task<string> IUnansweredCommands.AnswerAsync(HttpContext http, string path) => ForwardAsync(http, path);

    bool IUnansweredCommands.Forwards(string path) => _chooser.Daemons.Count > 0 && (_listed.Contains(path) || _options.Match(path) is not null);

    public async Task<string> ForwardAsync(HttpContext http, string path)
    {
        if (_chooser.Daemons.Count == 0)
        {
            await KuboErrorWriter.WriteAsync(http, ForwardFailures.NoDaemonConfigured(path));
            return "unknown";
        }

        // The listed command itself (the usual case) is one set lookup; Match also finds "cat/<cid>" and "*".
        var command = _listed.Contains(path) ? path : _options.Match(path);
        if (command is null)
        {
            await KuboErrorWriter.WriteAsync(http, ForwardFailures.NotAllowed(path, _options));
            return "unknown";
        }

        var label = _listed.Contains(command) ? command : WildcardLabel;

        // Only the spread ranking reads the argument: otherwise the query string is never parsed (YARP passes it on as it came).
        var argument = !_chooser.RanksByArgument ? null
            : command.Length < path.Length ? path[(command.Length + 1)..]
            : http.Request.Query["arg"] is { Count: > 0 } values ? values[0] : null;
        var candidates = _chooser.Candidates(argument);
        if (candidates.Count == 0)
        {
            await KuboErrorWriter.WriteAsync(http, ForwardFailures.NoDaemonHealthy(command, _chooser.Daemons));
            return label;
        }

        // Kestrel's 30 MB default would cut a large block/put or dag/import; the daemon sets its own limits.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var daemon = candidates[0];
        ForwardingLog.Forwarding(_logger, command, daemon.Undercluster, daemon.BaseUrl);
        var cutOnReset = CutOnReset.Offer(http);
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(http, daemon.DestinationPrefix, Client, daemon.RequestConfig, new ForwardTransformer(command, daemon.Undercluster, _logger));
        }
        finally
        {
            cutOnReset?.Withdraw();
        }

        if (error is ForwarderError.None or ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyCanceled)
        {
            return label;
        }

        var exception = http.Features.Get<IForwarderErrorFeature>()?.Exception;
        ForwardingLog.ForwardFailed(_logger, command, daemon.Undercluster, daemon.BaseUrl, error.ToString(), exception);
        if (!http.Response.HasStarted)
        {
            await KuboErrorWriter.WriteAsync(http, ForwardFailures.Upstream(command, daemon, error, exception));
        }

        // Started: YARP has already ended the caller's answer without its clean end (cut, see CutOnReset).
        return label;
    }

    public void Dispose() => Client.Dispose();

    private static HttpMessageInvoker CreateClient() => new(new SocketsHttpHandler
    {
        // YARP's recommended settings for a forwarding client: no proxy, redirects, decompression or cookies of its own.
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        // No DiagnosticsHandler in the chain: YARP copies the caller's traceparent as it came.
        ActivityHeadersPropagator = null,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    });
}
