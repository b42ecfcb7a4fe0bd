using Prometheus;

namespace CompositeGateway.Underclusters;

/// <summary>
/// The per-undercluster gauges read from the health view at each scrape: <c>gateway_undercluster_up</c>,
/// <c>_inception</c>, <c>_circuit_open</c>, <c>_free_space_bytes</c> and <c>gateway_repo_stat_left_out</c>. Created with
/// the health registry (see <see cref="UnderclustersServiceCollectionExtensions"/>), so that telemetry itself does not
/// depend on the undercluster module (which records into it).
/// </summary>
internal static class UnderclusterGauges
{
    public static void Observe(IMetricFactory factory, CollectorRegistry registry, IUnderclusterHealthView health)
    {
        var up = factory.CreateGauge(
            "gateway_undercluster_up",
            "1 when the undercluster's last health probe succeeded, 0 otherwise (also before the first probe, and when refused for inception).",
            ["undercluster"]);
        var inception = factory.CreateGauge(
            "gateway_undercluster_inception",
            "1 when a peer of the undercluster uses this gateway as its IPFS daemon (pins would loop back here; calls are refused), 0 otherwise.",
            ["undercluster"]);
        // The probe holds the circuit open while its last verdict is down or inception (UnderclusterHealthMonitor);
        // before the first probe the circuit is closed.
        var circuitOpen = factory.CreateGauge(
            "gateway_undercluster_circuit_open",
            "1 while the undercluster's circuit is held open by a failed (or refused) health probe, so calls to it fail at once, 0 otherwise.",
            ["undercluster"]);
        var freeSpace = factory.CreateGauge(
            "gateway_undercluster_free_space_bytes",
            "Free space of the undercluster as the last repo/stat that asked it computed it (bytes; absent until one has).",
            ["undercluster"]);
        // A gauge, not a counter: the alert an operator wants is "repo/stat is answering without this undercluster
        // now" (== 1, or max_over_time for flapping), and it clears by itself when the undercluster counts again.
        var leftOut = factory.CreateGauge(
            "gateway_repo_stat_left_out",
            "1 while the last aggregated repo/stat left the undercluster out (it could not be asked; the free space reported comes from the others), 0 otherwise.",
            ["undercluster"]);

        registry.AddBeforeCollectCallback(() =>
        {
            foreach (var s in health.Snapshot())
            {
                up.WithLabels(s.Name).Set(s.State == UnderclusterState.Up ? 1 : 0);
                inception.WithLabels(s.Name).Set(s.State == UnderclusterState.Inception ? 1 : 0);
                circuitOpen.WithLabels(s.Name).Set(s.State is UnderclusterState.Down or UnderclusterState.Inception ? 1 : 0);
                leftOut.WithLabels(s.Name).Set(s.RepoStatLeftOut ? 1 : 0);
                if (s.FreeSpaceBytes is { } free)
                {
                    freeSpace.WithLabels(s.Name).Set(free);
                }
            }
        });
    }
}
