using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;

namespace CompositeGateway.Admin;

/// <summary>Where a probe failed; the label value of <c>gateway_undercluster_probes_total</c>.</summary>
internal enum ProbeFailure
{
    None,
    ConnectError,
    NetworkError,
    Timeout,
    HttpError,
    BadBody,
}

/// <summary>A probe's outcome as a value (STYLE.md 6): the peer id, or where it failed and why.</summary>
internal readonly record struct ProbeResult(ProbeFailure Failure, string? PeerId, string? Error)
{
    public bool Succeeded => Failure == ProbeFailure.None;

    public string Outcome => Failure switch
    {
        ProbeFailure.None => "success",
        ProbeFailure.ConnectError => "connect_error",
        ProbeFailure.NetworkError => "network_error",
        ProbeFailure.Timeout => "timeout",
        ProbeFailure.HttpError => "http_error",
        _ => "bad_body",
    };

    public static ProbeResult Up(string peerId) => new(ProbeFailure.None, peerId, null);

    public static ProbeResult Down(ProbeFailure failure, string error) => new(failure, null, error);
}

/// <summary>
/// One <c>GET {url}/id</c> (cluster-rest-api.md §5.1): up means 200 with an <c>ID</c> object
/// whose <c>id</c> is set. Deliberately small: it moves onto the typed cluster client when that lands.
/// </summary>
internal sealed class UnderclusterProbe(IHttpClientFactory httpClientFactory, TimeProvider time)
{
    public const string HttpClientName = "undercluster-probe";

    public async Task<ProbeResult> ProbeAsync(UnderclusterOptions undercluster, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(undercluster.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, IdUri(undercluster.Url));
        if (undercluster.Auth is { } auth)
        {
            // §1.1: Basic with both user and password non-empty.
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return ProbeResult.Down(ProbeFailure.HttpError, await DescribeErrorAsync(response, linked.Token));
            }

            var peer = await response.Content.ReadFromJsonAsync(ClusterJsonContext.Default.ClusterPeer, linked.Token);
            return string.IsNullOrEmpty(peer?.Id)
                ? ProbeResult.Down(ProbeFailure.BadBody, "bad body: /id answered without a peer id")
                : ProbeResult.Up(peer.Id);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Down(ProbeFailure.Timeout, $"timeout: no answer within {undercluster.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            return ProbeResult.Down(ProbeFailure.ConnectError, $"connect: {exception.Message}");
        }
        catch (HttpRequestException exception)
        {
            return ProbeResult.Down(ProbeFailure.NetworkError, $"network: {exception.Message}");
        }
        catch (IOException exception)
        {
            return ProbeResult.Down(ProbeFailure.NetworkError, $"network: {exception.Message}");
        }
        catch (JsonException exception)
        {
            return ProbeResult.Down(ProbeFailure.BadBody, $"bad body: {exception.Message}");
        }
    }

    private static Uri IdUri(Uri baseUrl) => new(baseUrl.AbsoluteUri.TrimEnd('/') + "/id");

    /// <summary><c>HTTP 401: unauthorized: access denied</c>, using the cluster's error JSON (§1.2) when there is one.</summary>
    private static async Task<string> DescribeErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        try
        {
            var error = await response.Content.ReadFromJsonAsync(ClusterJsonContext.Default.ClusterError, cancellationToken);
            return string.IsNullOrEmpty(error?.Message) ? status : $"{status}: {error.Message}";
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or HttpRequestException or IOException)
        {
            return status;
        }
    }
}
