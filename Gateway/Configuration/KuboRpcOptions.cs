using System.Text.RegularExpressions;
using CompositeGateway.Go;

namespace CompositeGateway.Configuration;

/// <summary>Settings of the Kubo RPC surface (<c>kubo_rpc:</c> in gateway.yaml).</summary>
internal sealed partial record KuboRpcOptions
{
    /// <summary>Longest allowed <see cref="ProgressInterval"/>: Kubo ticks every 500 ms, and the Go peer's
    /// watchdog must see a rise well within its <c>pin_timeout</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3).</summary>
    public static readonly TimeSpan MaxProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often <c>pin/add?progress=true</c> emits a strictly higher <c>{"Progress":n}</c> while waiting.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Default of <see cref="HttpHeaders"/>: none, so only same-origin pages of the listener may call the API, as in Kubo.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoHeaders =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Default of <see cref="ExtractHeadersExtra"/>: none.</summary>
    public static readonly IReadOnlyList<string> NoExtractedHeaders = [];

    /// <summary><c>forward</c>: which commands go to an undercluster's IPFS daemon (docs/forwarding.md).</summary>
    public ForwardOptions Forward { get; init; } = new();

    /// <summary>
    /// <c>http_headers</c>: Kubo's <c>API.HTTPHeaders</c>. Added to every answer on the Kubo listener (answered, forwarded,
    /// errors, preflights); <c>Access-Control-Allow-Origin/Methods/Credentials</c> configure the CORS policy instead,
    /// as in Kubo (<c>KuboRpc/BrowserPolicy</c>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> HttpHeaders { get; init; } = NoHeaders;

    /// <summary>
    /// <c>extract_headers_extra</c>: headers copied from an undercluster daemon's answer to <c>POST /api/v0/version</c>
    /// onto the gateway's own answers (ipfs-cluster's <c>ipfsproxy.extract_headers_extra</c>, docs/protocol/ipfs-proxy-prior-art.md §4).
    /// </summary>
    public IReadOnlyList<string> ExtractHeadersExtra { get; init; } = NoExtractedHeaders;

    /// <summary><c>extract_headers_ttl</c>: how long extracted headers are reused before the daemon is asked again.</summary>
    public TimeSpan ExtractHeadersTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>authorizations</c>: Kubo's <c>API.Authorizations</c>. Empty: every caller that reaches a Kubo listener may call
    /// everything (as before); otherwise <c>listen</c> requires one of these (docs/security.md).
    /// </summary>
    public IReadOnlyList<KuboAuthorization> Authorizations { get; init; } = [];

    /// <summary>
    /// <c>unauthenticated_listen</c>: more Kubo RPC listeners that never ask for authorization, for the overcluster's Go
    /// peer, which sends no credentials. Unix sockets and loopback addresses only; never TLS.
    /// </summary>
    public IReadOnlyList<string> UnauthenticatedListen { get; init; } = [];

    /// <summary>Problems with these values, each naming its key in <c>kubo_rpc</c>; empty when valid.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        if (ProgressInterval <= TimeSpan.Zero || ProgressInterval > MaxProgressInterval)
        {
            problems.Add(new("progress_interval",
                $"must be greater than 0 and at most {GoDuration.Format(MaxProgressInterval)}, like Kubo's own progress ticks (was {GoDuration.Format(ProgressInterval)})"));
        }

        foreach (var problem in Forward.Validate())
        {
            problems.Add(problem with { Key = "forward." + problem.Key });
        }

        foreach (var (name, values) in HttpHeaders)
        {
            if (!HeaderName().IsMatch(name))
            {
                problems.Add(new("http_headers", $"\"{name}\" is not a valid HTTP header name"));
            }
            else if (FramingHeaders.Contains(name))
            {
                problems.Add(new("http_headers", $"\"{name}\" describes the message itself and cannot be set for every answer"));
            }
            else if (values.Count == 0 || values.Any(v => v.Length == 0 || v.Any(c => c is '\r' or '\n' or '\0')))
            {
                problems.Add(new("http_headers", $"{name}: needs a list of one or more non-empty values on one line, e.g. [\"value\"]"));
            }
        }

        if (HttpHeaders.TryGetValue(KuboHttpHeaders.AllowCredentials, out var credentials) && credentials.Any(v => v is not ("true" or "false")))
        {
            problems.Add(new("http_headers", $"{KuboHttpHeaders.AllowCredentials}: must be [\"true\"] or [\"false\"]"));
        }

        foreach (var name in ExtractHeadersExtra)
        {
            if (!HeaderName().IsMatch(name))
            {
                problems.Add(new("extract_headers_extra", $"\"{name}\" is not a valid HTTP header name"));
            }
            else if (FramingHeaders.Contains(name))
            {
                problems.Add(new("extract_headers_extra", $"\"{name}\" describes the message itself and cannot be copied"));
            }
        }

        if (ExtractHeadersTtl <= TimeSpan.Zero)
        {
            problems.Add(new("extract_headers_ttl", $"must be greater than 0 (was {GoDuration.Format(ExtractHeadersTtl)})") { RelatedKey = "extract_headers_extra" });
        }

        return problems;
    }

    /// <summary>Value equality for the lists and the header mapping too (a loaded default equals the record default).</summary>
    public bool Equals(KuboRpcOptions? other) =>
        other is not null
        && ProgressInterval == other.ProgressInterval
        && Forward == other.Forward
        && ExtractHeadersTtl == other.ExtractHeadersTtl
        && ExtractHeadersExtra.SequenceEqual(other.ExtractHeadersExtra)
        && Authorizations.SequenceEqual(other.Authorizations, AuthorizationComparer.Instance)
        && UnauthenticatedListen.SequenceEqual(other.UnauthenticatedListen)
        && HttpHeaders.Count == other.HttpHeaders.Count
        && HttpHeaders.All(h => other.HttpHeaders.TryGetValue(h.Key, out var values) && values.SequenceEqual(h.Value));

    public override int GetHashCode() => HashCode.Combine(ProgressInterval, Forward, ExtractHeadersTtl, ExtractHeadersExtra.Count, HttpHeaders.Count);

    private sealed class AuthorizationComparer : IEqualityComparer<KuboAuthorization>
    {
        public static readonly AuthorizationComparer Instance = new();

        public bool Equals(KuboAuthorization? x, KuboAuthorization? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Secret == y.Secret && x.AllowedPaths.SequenceEqual(y.AllowedPaths);

        public int GetHashCode(KuboAuthorization obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }

    // Headers that frame or route a message: set per answer by the server, never from configuration.
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "Te", "Content-Type", "Content-Encoding", "Host", "Date",
    };

    // RFC 9110 token.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderName();
}
