using Refit;

namespace CompositeGateway.Clusters;

/// <summary>
/// Every endpoint of an undercluster's REST API (docs/protocol/cluster-rest.md §5) that the gateway calls, declared
/// for Refit's source generator (<c>AddKeyedRefitGeneratedClient</c>, one keyed instance per undercluster, built with
/// <see cref="Wire.ClusterJsonContext"/>). <see cref="ClusterClient"/> is the only caller: it turns each answer
/// into a <see cref="ClusterResult{T}"/> or a <see cref="ClusterStream{T}"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every method returns the raw <see cref="HttpResponseMessage"/>, read by <see cref="ClusterClient"/> (Refit does not
/// buffer it, so the body is read from the wire as it arrives):
/// </para>
/// <list type="bullet">
/// <item>NDJSON streams (<c>/pins</c>, <c>/allocations</c>, <c>/peers</c>, <c>/add</c>) go to the project's stream reader, which
/// decodes one item at a time and checks the <c>X-Stream-Error</c> trailer after the last one (docs/protocol/cluster-rest.md §1.3); a typed Refit
/// stream would neither see the trailer nor keep failures as values.</item>
/// <item>Single documents are read by the facade too, not as <c>IApiResponse&lt;T&gt;</c>: an error answer is read only up to
/// <see cref="ClusterClientSettings.MaxErrorBodyBytes"/> for the cluster's <c>message</c> (Refit reads an error body whole into a
/// string), the 404 <c>pin is not part of the pinset</c> is the answer "absent" rather than an error (docs/protocol/cluster-rest.md §1.2), and the
/// body's read shares the call's one time budget.</item>
/// </list>
/// <para>
/// Queries are passed as ordered name/value pairs (<see cref="PinRequest.ToQuery"/>, <see cref="AddRequest.ToQuery"/>):
/// the options' own validation and wire names live with the options, not in this interface. The one thing that is not a
/// Refit method: the comma list of <c>GET /pins?cids=</c> is one <c>[Query]</c> value sent unescaped
/// (<see cref="QueryUriFormatAttribute"/>), because escaping each comma would cost three bytes of the request-line budget
/// that <see cref="CidBatch"/> fills; CIDs are URL-safe, checked before the call.
/// <see cref="ClusterResilience.HealthProbeProperty"/> marks health probes (their own pipeline: timeout only), and
/// <see cref="ClusterResilience.BudgetProperty"/> replaces the undercluster's timeout for a call that has none (<c>/add</c>, repo GC).
/// </para>
/// </remarks>
internal interface IClusterRestApi
{
    /// <summary><c>GET /id</c> (docs/protocol/cluster-rest.md §5.1).</summary>
    [Get("/id")]
    Task<HttpResponseMessage> GetIdAsync([Property(ClusterResilience.HealthProbeProperty)] bool healthProbe, CancellationToken cancellationToken);

    /// <summary><c>GET /peers</c> (docs/protocol/cluster-rest.md §5.3), NDJSON.</summary>
    [Get("/peers")]
    Task<HttpResponseMessage> GetPeersAsync([Property(ClusterResilience.HealthProbeProperty)] bool healthProbe, CancellationToken cancellationToken);

    /// <summary><c>POST /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.4).</summary>
    [Post("/pins/{cid}")]
    Task<HttpResponseMessage> PinAsync(string cid, [Query] IDictionary<string, string> options, CancellationToken cancellationToken);

    /// <summary><c>POST /pins/{ipfs|ipns|ipld}/{path}</c> (docs/protocol/cluster-rest.md §5.5); <paramref name="path"/> is checked by <see cref="ClusterSyntax.ToPinPath"/> and sent with each segment escaped.</summary>
    [Post("/pins/{**path}")]
    Task<HttpResponseMessage> PinPathAsync(string path, [Query] IDictionary<string, string> options, CancellationToken cancellationToken);

    /// <summary><c>DELETE /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.6).</summary>
    [Delete("/pins/{cid}")]
    Task<HttpResponseMessage> UnpinAsync(string cid, CancellationToken cancellationToken);

    /// <summary><c>GET /allocations/{cid}</c> (docs/protocol/cluster-rest.md §5.12).</summary>
    [Get("/allocations/{cid}")]
    Task<HttpResponseMessage> GetAllocationAsync(string cid, CancellationToken cancellationToken);

    /// <summary><c>GET /allocations</c> (docs/protocol/cluster-rest.md §5.11), NDJSON.</summary>
    [Get("/allocations")]
    Task<HttpResponseMessage> GetAllocationsAsync([Query] string? filter, CancellationToken cancellationToken);

    /// <summary><c>GET /pins/{cid}</c> (docs/protocol/cluster-rest.md §5.9).</summary>
    [Get("/pins/{cid}")]
    Task<HttpResponseMessage> GetStatusAsync(string cid, [Query] string local, CancellationToken cancellationToken);

    /// <summary><c>GET /pins</c> (docs/protocol/cluster-rest.md §5.8), NDJSON: every pin matching <paramref name="filter"/>.</summary>
    [Get("/pins")]
    Task<HttpResponseMessage> GetStatusAllAsync([Query] string local, [Query] string? filter, CancellationToken cancellationToken);

    /// <summary><c>GET /pins?cids=</c> (docs/protocol/cluster-rest.md §5.8), NDJSON: only the listed CIDs (a comma list, sent as it is).</summary>
    [Get("/pins")]
    [QueryUriFormat(UriFormat.Unescaped)]
    Task<HttpResponseMessage> GetStatusOfAsync([Query] string local, [Query] string? filter, [Query] string cids, CancellationToken cancellationToken);

    /// <summary><c>POST /pins/{cid}/recover</c> (docs/protocol/cluster-rest.md §5.10).</summary>
    [Post("/pins/{cid}/recover")]
    Task<HttpResponseMessage> RecoverAsync(string cid, [Query] string local, CancellationToken cancellationToken);

    /// <summary><c>GET /monitor/metrics/{name}</c> (docs/protocol/cluster-rest.md §5.15).</summary>
    [Get("/monitor/metrics/{name}")]
    Task<HttpResponseMessage> GetMetricsAsync(string name, CancellationToken cancellationToken);

    /// <summary><c>POST /ipfs/gc</c> (docs/protocol/cluster-rest.md §5.14); <paramref name="budget"/> is <see cref="Timeout.InfiniteTimeSpan"/>: GC takes what it takes.</summary>
    [Post("/ipfs/gc")]
    Task<HttpResponseMessage> RepoGcAsync([Query] string local, [Property(ClusterResilience.BudgetProperty)] TimeSpan budget, CancellationToken cancellationToken);

    /// <summary><c>POST /add</c> (docs/protocol/cluster-rest.md §5.13): the multipart body is streamed as it is; <paramref name="budget"/> as for repo GC.</summary>
    [Post("/add")]
    Task<HttpResponseMessage> AddAsync([Query] IDictionary<string, string> options, [Body] HttpContent multipart, [Property(ClusterResilience.BudgetProperty)] TimeSpan budget, CancellationToken cancellationToken);
}
