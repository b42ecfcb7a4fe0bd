using System.Globalization;
using System.Net;
using System.Text.Json;
using CompositeGateway.Clusters;
using CompositeGateway.Configuration;

namespace CompositeGateway.Underclusters;

/// <summary>
/// The health monitor's calls, through the undercluster's one <see cref="ClusterClient"/> in
/// <see cref="ClusterCallMode.HealthProbe"/> mode, and their failures in operator words:
/// <c>connect: connection refused (127.0.0.1:9094)</c>, <c>HTTP 401: unauthorized: access denied</c>,
/// <c>timeout: no answer within 5 s</c>, <c>not an ipfs-cluster REST API: …</c>.
/// </summary>
internal sealed class UnderclusterProbe(TimeProvider time)
{
    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1): up means 200 with an ID object whose <c>id</c> is set.</summary>
    public async Task<ProbeResult> ProbeAsync(ClusterClient client, UnderclusterOptions undercluster, CancellationToken cancellationToken)
    {
        var result = await client.GetIdAsync(ClusterCallMode.HealthProbe, cancellationToken);
        if (!result.TryGetValue(out var peer, out var failure))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Describe(failure, undercluster);
        }

        return string.IsNullOrEmpty(peer.Id)
            ? ProbeResult.Down(ProbeFailure.BadBody, "bad body: /id answered without a peer id")
            : ProbeResult.Up(peer);
    }

    /// <summary>
    /// <c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3), bounded as a whole by the undercluster's timeout: the contacted peer
    /// asks every cluster peer for its ID (and each its IPFS daemon), so this is the expensive check.
    /// </summary>
    public async Task<PeersResult> ListPeersAsync(ClusterClient client, UnderclusterOptions undercluster, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(undercluster.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var result = await client.StreamPeersAsync(ClusterCallMode.HealthProbe, linked.Token).CollectAsync(linked.Token);
        if (result.TryGetValue(out var peers, out var failure))
        {
            return new PeersResult(peers, null);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var error = timeout.IsCancellationRequested
            ? $"timeout: /peers not complete within {Seconds(undercluster.Timeout)} s"
            : Describe(failure, undercluster).Error;
        return new PeersResult(null, error);
    }

    internal static ProbeResult Describe(ClusterFailure failure, UnderclusterOptions undercluster) => failure.Kind switch
    {
        ClusterFailureKind.Connect => ProbeResult.Down(ProbeFailure.ConnectError, $"connect: {failure.Detail} ({failure.BaseUrl.Authority})"),
        ClusterFailureKind.Timeout => ProbeResult.Down(ProbeFailure.Timeout, $"timeout: no answer within {Seconds(failure.TimeoutAfter ?? undercluster.Timeout)} s"),
        ClusterFailureKind.HttpStatus or ClusterFailureKind.Unauthorized when NotClusterApi(failure) is { } notCluster =>
            ProbeResult.Down(ProbeFailure.NotCluster, notCluster),
        ClusterFailureKind.HttpStatus or ClusterFailureKind.Unauthorized => ProbeResult.Down(ProbeFailure.HttpError, $"HTTP {Status(failure)}: {failure.Detail}"),
        ClusterFailureKind.BadBody => ProbeResult.Down(ProbeFailure.BadBody, $"bad body: {failure.Detail}"),
        ClusterFailureKind.StreamBroken => ProbeResult.Down(ProbeFailure.NetworkError, $"network: {failure.Detail}"),
        _ => ProbeResult.Down(ProbeFailure.NetworkError, $"probe error: {failure.Detail}"),
    };

    /// <summary>
    /// Every ipfs-cluster REST API serves <c>GET /id</c> and <c>GET /peers</c> (docs/protocol/cluster-rest.md §5.1, §5.3) and answers its
    /// errors as <c>{"code":…,"message":…}</c> (§1.2). A 404 or 405 to them means the URL is something else;
    /// Kubo's error JSON (<c>{"Message":…,"Code":…,"Type":"error"}</c>) or an <c>/api/v0</c> path says it is a
    /// Kubo RPC API: an IPFS daemon, or a gateway like this one.
    /// </summary>
    private static string? NotClusterApi(ClusterFailure failure)
    {
        if (failure.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed))
        {
            return null;
        }

        var kubo = LooksLikeKuboError(failure.Detail)
            || failure.BaseUrl.AbsolutePath.TrimEnd('/').EndsWith("/api/v0", StringComparison.Ordinal);
        var answered = $"{failure.Operation} answered HTTP {Status(failure)} ({Shorten(failure.Detail)})";
        return kubo
            ? $"not an ipfs-cluster REST API: {answered}, which looks like a Kubo RPC API (an IPFS daemon, or a gateway like this one). "
                + "url must be the cluster's REST API (restapi.http_listen_multiaddress, default port 9094), not an IPFS RPC API (default port 5001)"
            : $"not an ipfs-cluster REST API: {answered}; every ipfs-cluster REST API serves it. "
                + "Check url's host, port and path (the cluster's restapi.http_listen_multiaddress, default port 9094)";
    }

    private static bool LooksLikeKuboError(string detail)
    {
        if (!detail.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(detail);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Message", out _)
                && document.RootElement.TryGetProperty("Type", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static string Status(ClusterFailure failure) =>
        failure.StatusCode is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : "?";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
