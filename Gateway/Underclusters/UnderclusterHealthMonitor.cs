using CompositeGateway.Clusters;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;
using CompositeGateway.Telemetry;

namespace CompositeGateway.Underclusters;

/// <summary>
/// Probes every undercluster on <see cref="HealthOptions.ProbeInterval"/>, the first time at
/// start, each on its own loop so that one slow undercluster does not delay the others' probes.
/// Every probe is a <c>GET /id</c>; the inception check (<see cref="InceptionCheck"/>) reads its
/// <c>ipfs.id</c> every time, and the whole cluster's through <c>GET /peers</c> at the first
/// successful probe, after every failed or refused one, and otherwise every
/// <see cref="PeersCheckEvery"/>th probe: <c>/peers</c> makes the contacted peer ask every cluster
/// peer and each of those its IPFS daemon, so it is not sent on every probe.
/// The verdict also drives the undercluster's circuit breaker: a failed or refused probe holds the circuit
/// open (calls fail fast with <c>CircuitOpen</c> instead of each waiting for its timeout), a successful one
/// closes it again (<see cref="ClusterClient.IsolateAsync"/>). Probes themselves bypass the breaker.
/// </summary>
internal sealed class UnderclusterHealthMonitor(
    IReadOnlyList<UnderclusterOptions> underclusters,
    HealthOptions options,
    ClusterClientRegistry clients,
    UnderclusterProbe probe,
    UnderclusterHealth health,
    GatewayIdentity identity,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<UnderclusterHealthMonitor> logger) : BackgroundService
{
    /// <summary>
    /// Successful probes between two <c>GET /peers</c> checks while nothing is wrong: with the default
    /// 5 s probe interval, a cluster-wide check every 30 s.
    /// </summary>
    public const int PeersCheckEvery = 6;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(underclusters.Select(undercluster => WatchAsync(undercluster, stoppingToken)));

    private async Task WatchAsync(UnderclusterOptions undercluster, CancellationToken stoppingToken)
    {
        // Whatever part of ExecuteAsync the host runs inside its own start, leave it at once: start-up (and
        // `run`) must never wait on an undercluster. The first probe still goes now, not a tick later.
        await Task.Yield();

        // Created before the first probe so that ticks are due from start, whatever the probe takes.
        using var timer = new PeriodicTimer(options.ProbeInterval, time);
        var watch = new Watch(clients[undercluster.Name], undercluster);
        try
        {
            do
            {
                await ProbeOnceAsync(watch, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeOnceAsync(Watch watch, CancellationToken stoppingToken)
    {
        var name = watch.Options.Name;
        ProbeResult result;
        string? refusal = null;
        health.RecordProbeStarted(name);
        try
        {
            result = await probe.ProbeAsync(watch.Client, watch.Options, stoppingToken);
            if (result.Succeeded)
            {
                refusal = await CheckInceptionAsync(watch, result, stoppingToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A bug in the probe must not stop the monitoring of this undercluster.
            logger.ProbeCrashed(name, exception);
            result = ProbeResult.Down(ProbeFailure.NetworkError, $"probe error: {exception.Message}");
        }

        metrics.RecordProbe(name, result.Outcome);
        if (!result.Succeeded)
        {
            watch.PeersDue = true;
            // Before recording, so that whoever sees the new state sees the circuit already follow it.
            await watch.Client.IsolateAsync(result.Error!, stoppingToken);
            var transition = health.RecordFailure(name, result.Error!);
            if (transition.Changed)
            {
                logger.UnderclusterDown(name, result.Error!);
            }
            else
            {
                logger.UnderclusterStillDown(name, transition.ConsecutiveFailures, result.Error!);
            }
        }
        else if (refusal is not null)
        {
            await watch.Client.IsolateAsync(refusal, stoppingToken);
            var transition = health.RecordInception(name, result.PeerId!, refusal);
            if (transition.Changed || refusal != watch.LoggedRefusal)
            {
                logger.UnderclusterRefused(name, refusal);
                watch.LoggedRefusal = refusal;
            }
            else
            {
                logger.UnderclusterStillRefused(name, transition.ConsecutiveFailures);
            }
        }
        else
        {
            watch.LoggedRefusal = null;
            await watch.Client.CloseCircuitAsync(stoppingToken);
            var transition = health.RecordSuccess(name, result.PeerId!);
            if (transition.Changed)
            {
                logger.UnderclusterUp(name, result.PeerId!);
            }
        }
    }

    /// <summary>The inception message for this probe, from <c>/id</c> and, when due, <c>/peers</c>; null when the topology is sound.</summary>
    private async Task<string?> CheckInceptionAsync(Watch watch, ProbeResult result, CancellationToken stoppingToken)
    {
        var self = identity.PeerId;
        if (InceptionCheck.Describe(watch.Options.Name, self, [result.Peer!]) is { } contacted)
        {
            // Once this peer is fixed, look at the others at once.
            watch.PeersDue = true;
            return contacted;
        }

        // While refused, check every probe, so that the fix is noticed within one probe interval.
        watch.ProbesSincePeers++;
        if (watch.PeersDue || watch.PeersRefusal is not null || watch.ProbesSincePeers >= PeersCheckEvery)
        {
            watch.PeersDue = false;
            watch.ProbesSincePeers = 0;
            var peers = await probe.ListPeersAsync(watch.Client, watch.Options, stoppingToken);
            if (peers.Succeeded)
            {
                watch.PeersRefusal = InceptionCheck.Describe(watch.Options.Name, self, peers.Peers!);
            }
            else
            {
                // Not a health failure: /id answered. The previous verdict stands until a check succeeds.
                logger.PeersCheckFailed(watch.Options.Name, peers.Error!);
            }
        }

        return watch.PeersRefusal;
    }

    /// <summary>One undercluster's loop state (touched by its own loop only).</summary>
    private sealed class Watch(ClusterClient client, UnderclusterOptions options)
    {
        public ClusterClient Client { get; } = client;

        public UnderclusterOptions Options { get; } = options;

        /// <summary>Check <c>/peers</c> at the next successful probe: at start, after a failure or an inception seen on <c>/id</c>.</summary>
        public bool PeersDue { get; set; } = true;

        public int ProbesSincePeers { get; set; }

        /// <summary>The verdict of the last successful <c>/peers</c> check.</summary>
        public string? PeersRefusal { get; set; }

        public string? LoggedRefusal { get; set; }
    }
}
