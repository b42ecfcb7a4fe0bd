using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;

namespace CompositeGateway.Clusters;

/// <summary>
/// <c>auth.mode: jwt</c>: ipfs-cluster's token flow (docs/protocol/cluster-rest.md §1.1). <c>POST /token</c> with Basic
/// credentials gives a JWT; every call then carries <c>Authorization: Bearer</c>. The token is asked again shortly
/// before the <c>exp</c> claim it carries (tokens ipfs-cluster issues carry none and never expire; a proxy or a
/// future version may set one), and once when a call is refused 401 with it (the undercluster's password or signing
/// key changed): that call is then sent once more if its body can be sent twice.
/// </summary>
/// <remarks>
/// Sits inside the resilience handler, so every attempt of a retried call carries the current token. One renewal
/// runs at a time; calls waiting for it share its result. The token and the password are never logged.
/// </remarks>
internal sealed class ClusterTokenHandler : DelegatingHandler
{
    /// <summary>Renew this long before <c>exp</c>, or a fifth of the token's lifetime when that is shorter.</summary>
    internal static readonly TimeSpan RenewAhead = TimeSpan.FromSeconds(60);

    private readonly UnderclusterOptions _cluster;
    private readonly ClusterAuthOptions _auth;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _tokenUrl;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile Token? _token;

    public ClusterTokenHandler(UnderclusterOptions cluster, TimeProvider time, ILogger logger)
    {
        _cluster = cluster;
        _auth = cluster.Auth ?? throw new ArgumentException("auth is required", nameof(cluster));
        _time = time;
        _logger = logger;
        _tokenUrl = new Uri(ClusterClient.BaseAddress(cluster.Url).AbsoluteUri.TrimEnd('/') + "/token");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (token, refused) = await CurrentAsync(stale: null, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token!.Value);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !CanResend(request))
        {
            return response;
        }

        ClusterLog.TokenRejected(_logger, _cluster.Name, request.RequestUri?.AbsolutePath ?? "?");
        (var renewed, refused) = await CurrentAsync(stale: token, cancellationToken);
        if (refused is not null)
        {
            response.Dispose();
            return refused;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", renewed!.Value);
        return await base.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _renewal.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Calls without a body, or with one held in memory, can be sent again; a streamed upload cannot.</summary>
    private static bool CanResend(HttpRequestMessage request) => request.Content is null or ByteArrayContent;

    /// <summary>
    /// The token to use: the cached one while it is fresh and not <paramref name="stale"/>, else a new one. When the
    /// undercluster refuses to issue one, its answer is returned instead, for the caller to judge like any other.
    /// </summary>
    private async Task<(Token? Token, HttpResponseMessage? Refused)> CurrentAsync(Token? stale, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_token is { } cached && !ReferenceEquals(cached, stale) && !cached.NeedsRenewal(now))
        {
            return (cached, null);
        }

        await _renewal.WaitAsync(cancellationToken);
        try
        {
            // Another call may have renewed it while this one waited.
            now = _time.GetUtcNow();
            if (_token is { } fresh && !ReferenceEquals(fresh, stale) && !fresh.NeedsRenewal(now))
            {
                return (fresh, null);
            }

            var reason = _token is null ? "first call" : stale is not null ? "refused with 401" : "about to expire";
            using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(_auth.Username + ":" + _auth.Password)));
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                ClusterLog.TokenRefused(_logger, _cluster.Name, (int)response.StatusCode);
                _token = null;
                return (null, response);
            }

            string? value;
            using (response)
            {
                var body = await response.Content.ReadFromJsonAsync(ClusterJsonContext.Default.ClusterToken, cancellationToken);
                value = body?.Token;
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new HttpRequestException($"POST /token of {_cluster.Name} answered 200 without a token");
            }

            var token = Token.Read(value, now);
            _token = token;
            ClusterLog.TokenIssued(_logger, _cluster.Name, reason, token.Expires is { } expires ? $"expires {expires:u}" : "no expiry");
            return (token, null);
        }
        finally
        {
            _renewal.Release();
        }
    }

    /// <summary>A token and when to renew it (null: never, only on a 401).</summary>
    private sealed record Token(string Value, DateTimeOffset? Expires, DateTimeOffset? RenewAt)
    {
        public bool NeedsRenewal(DateTimeOffset now) => RenewAt is { } at && now >= at;

        /// <summary>Reads <c>exp</c> (and <c>iat</c>) from the payload; the signature is the undercluster's business.</summary>
        public static Token Read(string value, DateTimeOffset now)
        {
            var parts = value.Split('.');
            if (parts.Length != 3)
            {
                return new Token(value, null, null);
            }

            try
            {
                var payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
                using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
                if (claims.RootElement.ValueKind != JsonValueKind.Object
                    || !claims.RootElement.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds))
                {
                    return new Token(value, null, null);
                }

                var expires = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
                var issued = claims.RootElement.TryGetProperty("iat", out var iat) && iat.TryGetInt64(out var iatSeconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(iatSeconds, expSeconds))
                    : now;
                var ahead = TimeSpan.FromTicks(Math.Min(RenewAhead.Ticks, Math.Max(0, (expires - issued).Ticks / 5)));
                return new Token(value, expires, expires - ahead);
            }
            catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
            {
                // Opaque to us: used until a 401 says otherwise.
                return new Token(value, null, null);
            }
        }
    }
}
