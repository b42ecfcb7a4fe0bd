using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;

namespace CompositeGateway.Admin;

/// <summary>
/// Probes every undercluster on <see cref="HealthOptions.ProbeInterval"/>, the first time at
/// start, each on its own loop so that one slow undercluster does not delay the others' probes.
/// </summary>
internal sealed class UnderclusterHealthMonitor(
    IReadOnlyList<UnderclusterOptions> underclusters,
    HealthOptions options,
    UnderclusterProbe probe,
    UnderclusterHealth health,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<UnderclusterHealthMonitor> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(underclusters.Select(undercluster => WatchAsync(undercluster, stoppingToken)));

    private async Task WatchAsync(UnderclusterOptions undercluster, CancellationToken stoppingToken)
    {
        // Created before the first probe so that ticks are due from start, whatever the probe takes.
        using var timer = new PeriodicTimer(options.ProbeInterval, time);
        try
        {
            do
            {
                await ProbeOnceAsync(undercluster, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeOnceAsync(UnderclusterOptions undercluster, CancellationToken stoppingToken)
    {
        ProbeResult result;
        try
        {
            result = await probe.ProbeAsync(undercluster, stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A bug in the probe must not stop the monitoring of this undercluster.
            logger.ProbeCrashed(undercluster.Name, exception);
            result = ProbeResult.Down(ProbeFailure.NetworkError, $"probe error: {exception.Message}");
        }

        metrics.RecordProbe(undercluster.Name, result.Outcome);
        if (result.Succeeded)
        {
            var transition = health.RecordSuccess(undercluster.Name, result.PeerId!);
            if (transition.Changed)
            {
                logger.UnderclusterUp(undercluster.Name, result.PeerId!);
            }
        }
        else
        {
            var transition = health.RecordFailure(undercluster.Name, result.Error!);
            if (transition.Changed)
            {
                logger.UnderclusterDown(undercluster.Name, result.Error!);
            }
            else
            {
                logger.UnderclusterStillDown(undercluster.Name, transition.ConsecutiveFailures, result.Error!);
            }
        }
    }
}
