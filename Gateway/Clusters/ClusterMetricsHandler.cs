using CompositeGateway.Telemetry;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CompositeGateway.Clusters;

/// <summary>
/// Counts each logical REST call to an undercluster (outermost in the handler chain, so retries
/// inside the resilience pipeline are one call) for <c>gateway_undercluster_requests_total</c> and
/// its duration histogram. Time is to response headers: stream bodies belong to their callers.
/// </summary>
internal sealed class ClusterMetricsHandler(string undercluster, GatewayMetrics metrics, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(ClusterResilience.HealthProbeOption, out var probe) && probe)
        {
            // Health probes have their own counter (gateway_undercluster_probes_total); counting them here too
            // would show a steady call rate on an idle gateway and double-count every outage.
            return await base.SendAsync(request, cancellationToken);
        }

        var started = time.GetTimestamp();
        var outcome = "connect_error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            // 404 "pin is not part of the pinset" is an answer, not a failure (docs/protocol/cluster-rest.md §5.12).
            outcome = (int)response.StatusCode < 400 || response.StatusCode == System.Net.HttpStatusCode.NotFound ? "success" : "http_error";
            return response;
        }
        catch (TimeoutRejectedException)
        {
            outcome = "timeout";
            throw;
        }
        catch (BrokenCircuitException)
        {
            outcome = "circuit_open";
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            metrics.RecordUnderclusterRequest(undercluster, outcome, time.GetElapsedTime(started));
        }
    }
}
