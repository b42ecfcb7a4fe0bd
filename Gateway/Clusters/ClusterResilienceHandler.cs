using Polly;

namespace CompositeGateway.Clusters;

/// <summary>
/// Runs each request through its undercluster's <see cref="ClusterResilience"/> pipeline. Sits in
/// the <c>IHttpClientFactory</c> chain above SocketsHttpHandler; exceptions (connect errors,
/// <see cref="Polly.Timeout.TimeoutRejectedException"/>, <see cref="Polly.CircuitBreaker.BrokenCircuitException"/>)
/// propagate to <see cref="ClusterClient"/>, which turns them into <see cref="ClusterFailure"/> values.
/// </summary>
internal sealed class ClusterResilienceHandler(ClusterResilience resilience) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(ClusterResilience.RequestKey, request);
            if (request.Options.TryGetValue(ClusterResilience.AttemptTimeoutOption, out var timeout))
            {
                context.Properties.Set(ClusterResilience.AttemptTimeoutKey, timeout);
            }

            var pipeline = request.Options.TryGetValue(ClusterResilience.HealthProbeOption, out var probe) && probe
                ? resilience.ProbePipeline
                : resilience.Pipeline;
            return await pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, ctx.CancellationToken)),
                context,
                (Handler: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
