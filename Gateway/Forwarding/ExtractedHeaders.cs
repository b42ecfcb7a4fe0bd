using CompositeGateway.Configuration;
using CompositeGateway.KuboRpc;

namespace CompositeGateway.Forwarding;

/// <summary>
/// <c>kubo_rpc.extract_headers_extra</c>, after ipfs-cluster's <c>ipfsproxy.extract_headers_extra</c>
/// (docs/protocol/ipfs-proxy-prior-art.md §4): the named headers of a daemon's answer to <c>POST /api/v0/version</c>,
/// kept for <c>extract_headers_ttl</c> and set on the gateway's own answers so a client sees the same headers from
/// answered and forwarded commands. One request at a time refreshes them; a failure is retried after a short pause
/// instead of on every request.
/// </summary>
internal sealed class ExtractedHeaders(KuboRpcOptions options, KuboForwarder forwarder, TimeProvider time, ILogger<ExtractedHeaders> logger) : IAnswerHeaders
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private IReadOnlyList<KeyValuePair<string, string[]>> _headers = [];
    private DateTimeOffset _expires = DateTimeOffset.MinValue;

    /// <summary>Sets the extracted headers on <paramref name="http"/>'s response (no-op when none are configured).</summary>
    public async Task ApplyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (options.ExtractHeadersExtra.Count == 0)
        {
            return;
        }

        if (time.GetUtcNow() >= _expires)
        {
            await RefreshAsync(cancellationToken);
        }

        foreach (var (name, values) in _headers)
        {
            http.Response.Headers[name] = values;
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() < _expires)
            {
                return;
            }

            var daemon = forwarder.Chooser.Candidates(null).FirstOrDefault();
            if (daemon is null)
            {
                _expires = time.GetUtcNow() + RetryAfterFailure;
                return;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(daemon.Timeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(daemon.BaseUrl, "api/v0/version"));
                using var response = await forwarder.Client.SendAsync(request, timeout.Token);
                var found = new List<KeyValuePair<string, string[]>>();
                foreach (var name in options.ExtractHeadersExtra)
                {
                    if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                    {
                        found.Add(KeyValuePair.Create(name, values.ToArray()));
                    }
                }

                _headers = found;
                _expires = time.GetUtcNow() + options.ExtractHeadersTtl;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ForwardingLog.ExtractHeadersFailed(logger, daemon.Undercluster, daemon.BaseUrl, e.Message);
                _expires = time.GetUtcNow() + RetryAfterFailure;
            }
        }
        finally
        {
            _refresh.Release();
        }
    }
}
