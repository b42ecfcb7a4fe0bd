using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;

namespace CompositeGateway.Underclusters;

/// <summary>
/// Discovers the composition below this gateway for <c>topology</c> and <c>GET /topology</c>: per undercluster
/// <c>GET /id</c> (depth 1), <c>GET /peers</c> (depth 2) and its <c>ipfs_api</c> daemon's <c>POST /api/v0/id</c>
/// (depth 3), all underclusters at once, each call bounded by the undercluster's timeout and the whole by one
/// time budget: an unreachable or hanging part is reported as such, never waited for beyond it.
/// </summary>
/// <remarks>
/// A daemon that is another gateway is recognised (its <c>AgentVersion</c>), but its own composition is not
/// followed: that is on its admin listener, whose address neither the cluster nor the Kubo RPC API publishes.
/// </remarks>
internal sealed class TopologyDiscovery : IDisposable
{
    /// <summary>Deepest level: underclusters, their peers, the configured daemons.</summary>
    public const int MaxDepth = 3;

    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);

    public const string GatewayNote =
        "a CompositeGateway: its own composition is on its admin listener (GET /topology), whose address its Kubo RPC API does not publish; "
        + "run `composite-gateway topology` where that gateway runs";

    private readonly GatewayOptions _options;
    private readonly ClusterClientRegistry _clients;
    private readonly UnderclusterProbe _probe;
    private readonly PeerId? _self;
    private readonly TimeProvider _time;

    // The undercluster clients' handler ignores proxies; daemons on loopback or a LAN must not go through HTTP_PROXY either.
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    // self: this gateway's peer ID; null when unknown (the CLI before the first run), then loops cannot be recognised.
    public TopologyDiscovery(GatewayOptions options, ClusterClientRegistry clients, UnderclusterProbe probe, PeerId? self, TimeProvider time)
    {
        _options = options;
        _clients = clients;
        _probe = probe;
        _self = self;
        _time = time;
    }

    public async Task<TopologyReport> DiscoverAsync(int depth, TimeSpan budget, CancellationToken cancellationToken)
    {
        depth = Math.Clamp(depth, 1, MaxDepth);
        using var timeout = new CancellationTokenSource(budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var found = await Task.WhenAll(_options.Underclusters.Select(u => DiscoverAsync(u, depth, budget, linked.Token, cancellationToken)));
        cancellationToken.ThrowIfCancellationRequested();
        return new TopologyReport(_self?.ToString(), ProductInfo.AgentVersion, depth, found)
        {
            Note = timeout.IsCancellationRequested ? $"the time budget of {Seconds(budget)} s ran out; parts that had not answered by then are shown as timed out" : null,
        };
    }

    public void Dispose() => _http.Dispose();

    private async Task<TopologyUndercluster> DiscoverAsync(UnderclusterOptions undercluster, int depth, TimeSpan budget, CancellationToken token, CancellationToken caller)
    {
        var client = _clients[undercluster.Name];
        var entry = new TopologyUndercluster(undercluster.Name, undercluster.Url.ToString(), TopologyStatus.Reachable);
        try
        {
            var probed = await _probe.ProbeAsync(client, undercluster, token);
            var ipfs = depth >= 3 && undercluster.IpfsApi is { } api ? await DaemonAsync(api, undercluster.Timeout, token) : null;
            if (!probed.Succeeded)
            {
                return entry with { Status = TopologyStatus.Unreachable, Error = probed.Error, IpfsApi = ipfs };
            }

            entry = entry with { PeerId = probed.PeerId };
            if (depth >= 2)
            {
                var peers = await _probe.ListPeersAsync(client, undercluster, token);
                entry = peers.Succeeded
                    ? entry with { Peers = [.. peers.Peers!.Select(p => Peer(p, ipfs))] }
                    : entry with { PeersError = peers.Error };
            }

            return entry with { IpfsApi = ipfs };
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            var error = $"timeout: no complete answer within the topology time budget ({Seconds(budget)} s)";
            return entry.PeerId is null ? entry with { Status = TopologyStatus.Unreachable, Error = error } : entry with { PeersError = error };
        }
    }

    private TopologyPeer Peer(ClusterPeer peer, TopologyDaemon? configured)
    {
        var ipfsId = peer.Ipfs?.Id is { Length: > 0 } id ? id : null;
        var kind = TopologyDaemonKind.Unknown;
        if (PeerId.TryParse(ipfsId, out var parsed))
        {
            if (parsed.Equals(_self))
            {
                kind = TopologyDaemonKind.ThisGateway;
            }
            else if (configured?.Id is { } daemonId && PeerId.TryParse(daemonId, out var daemon) && daemon.Equals(parsed))
            {
                // The daemon behind ipfs_api is this peer's: what it said about itself tells the kind.
                kind = configured.Kind;
            }
        }

        var error = peer.Error is { Length: > 0 } peerError ? peerError : peer.Ipfs?.Error is { Length: > 0 } ipfsError ? ipfsError : null;
        return new TopologyPeer(peer.Id, peer.Peername is { Length: > 0 } name ? name : null, ipfsId, kind) { IpfsError = error };
    }

    /// <summary><c>POST /api/v0/id</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §2): <c>ID</c> and <c>AgentVersion</c> say who the daemon is.</summary>
    private async Task<TopologyDaemon?> DaemonAsync(Uri api, TimeSpan callTimeout, CancellationToken token)
    {
        var url = api.ToString();
        using var timeout = new CancellationTokenSource(callTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "api/v0/id"));
            if (api.UserInfo.Length > 0)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(api.UserInfo))));
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new TopologyDaemon(url, TopologyDaemonKind.Unreachable) { Error = $"HTTP {(int)response.StatusCode} to POST /api/v0/id" };
            }

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: linked.Token);
            var root = document.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ID", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var agent = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("AgentVersion", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var kind = PeerId.TryParse(id, out var parsed) && parsed.Equals(_self) ? TopologyDaemonKind.ThisGateway
                : agent?.StartsWith(ProductInfo.AgentPrefix, StringComparison.Ordinal) == true ? TopologyDaemonKind.Gateway
                : TopologyDaemonKind.Ipfs;
            return new TopologyDaemon(url, kind)
            {
                Id = id,
                AgentVersion = agent,
                Note = kind == TopologyDaemonKind.Gateway ? GatewayNote : null,
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            return new TopologyDaemon(url, TopologyDaemonKind.Unreachable) { Error = $"timeout: no answer within {Seconds(callTimeout)} s" };
        }
        // InvalidOperationException: a string in the answer that is not UTF-8 (checked only when its text is read).
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException or InvalidOperationException)
        {
            return new TopologyDaemon(url, TopologyDaemonKind.Unreachable) { Error = e.Message };
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The values of <see cref="TopologyUndercluster.Status"/>.</summary>
internal static class TopologyStatus
{
    public const string Reachable = "reachable";
    public const string Unreachable = "unreachable";
}
