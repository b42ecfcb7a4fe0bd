using System.Diagnostics.Metrics;

namespace CompositeGateway.Underclusters;

/// <summary>
/// The <c>gateway_undercluster_*</c> and <c>gateway_repo_stat_left_out</c> gauges, observed from the health view on
/// the gateway's meter. Created with the health registry (see <see cref="UnderclustersServiceCollectionExtensions"/>),
/// so that telemetry itself does not depend on the undercluster module (which records into it).
/// </summary>
internal static class UnderclusterGauges
{
    public static void Observe(Meter meter, IUnderclusterHealthView health)
    {
        meter.CreateObservableGauge(
            "gateway_undercluster_up",
            () => health.Snapshot().Select(s => new Measurement<int>(s.State == UnderclusterState.Up ? 1 : 0, new KeyValuePair<string, object?>("undercluster", s.Name))),
            description: "1 when the undercluster's last health probe succeeded, 0 otherwise (also before the first probe, and when refused for inception).");
        meter.CreateObservableGauge(
            "gateway_undercluster_inception",
            () => health.Snapshot().Select(s => new Measurement<int>(s.State == UnderclusterState.Inception ? 1 : 0, new KeyValuePair<string, object?>("undercluster", s.Name))),
            description: "1 when a peer of the undercluster uses this gateway as its IPFS daemon (pins would loop back here; calls are refused), 0 otherwise.");
        // A gauge, not a counter: the alert an operator wants is "repo/stat is answering without this undercluster
        // now" (== 1, or max_over_time for flapping), and it clears by itself when the undercluster counts again.
        meter.CreateObservableGauge(
            "gateway_repo_stat_left_out",
            () => health.Snapshot().Select(s => new Measurement<int>(s.RepoStatLeftOut ? 1 : 0, new KeyValuePair<string, object?>("undercluster", s.Name))),
            description: "1 while the last aggregated repo/stat left the undercluster out (it could not be asked; the free space reported comes from the others), 0 otherwise.");
    }
}
