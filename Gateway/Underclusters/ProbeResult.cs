using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Underclusters;

/// <summary>A probe's outcome as a value (docs/development/style.md §6): the contacted peer's ID object, or where it failed and why.</summary>
internal readonly record struct ProbeResult(ProbeFailure Failure, ClusterPeer? Peer, string? Error)
{
    public bool Succeeded => Failure == ProbeFailure.None;

    public string? PeerId => Peer?.Id;

    public string Outcome => Failure switch
    {
        ProbeFailure.None => "success",
        ProbeFailure.ConnectError => "connect_error",
        ProbeFailure.NetworkError => "network_error",
        ProbeFailure.Timeout => "timeout",
        ProbeFailure.HttpError or ProbeFailure.NotCluster => "http_error",
        _ => "bad_body",
    };

    public static ProbeResult Up(ClusterPeer peer) => new(ProbeFailure.None, peer, null);

    public static ProbeResult Down(ProbeFailure failure, string error) => new(failure, null, error);
}
