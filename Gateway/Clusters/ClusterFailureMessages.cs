using System.Globalization;
using System.Net;

namespace CompositeGateway.Clusters;

/// <summary>
/// The one place that turns a <see cref="ClusterFailure"/> into words (docs/development/style.md §6; YARP's
/// <c>HandleRequestFailureAsync</c>): <see cref="GatewayFailure.From"/> carries them, with the failure itself, up to
/// the Kubo RPC layer, whose <c>KuboFailure.FromGateway</c> decides the status; logs use <see cref="Describe"/>.
/// </summary>
internal static class ClusterFailureMessages
{
    /// <summary>The detail of a <see cref="ClusterFailureKind.CircuitOpen"/> failure while the health probe holds the circuit open.</summary>
    public const string HeldOpenByProbe = "held open while the health probe sees the undercluster down";

    /// <summary>The detail of a call refused, or cancelled in flight, because the health probe holds the circuit open, with the probe's reason.</summary>
    public static string HeldOpenByProbeBecause(string? reason) => reason is null ? HeldOpenByProbe : HeldOpenByProbe + ": " + reason;

    public static string Describe(ClusterFailure failure)
    {
        var name = $"undercluster \"{failure.Cluster}\"";
        var url = failure.BaseUrl.OriginalString.TrimEnd('/');
        return failure.Kind switch
        {
            ClusterFailureKind.InvalidRequest => $"{name}: invalid request for {failure.Operation}: {failure.Detail}",
            ClusterFailureKind.Connect => $"{name} unreachable: {failure.Detail} ({url})",
            ClusterFailureKind.Timeout => $"{name} timed out{After(failure.TimeoutAfter)}: {failure.Operation} ({url})",
            ClusterFailureKind.HttpStatus => $"{name} answered {Status(failure.StatusCode)} to {failure.Operation}: {failure.Detail}",
            ClusterFailureKind.Unauthorized => $"{name} refused the gateway's credentials (401) for {failure.Operation}: {failure.Detail}",
            ClusterFailureKind.BadBody => $"{name} sent an unreadable {failure.ExpectedType ?? "body"} for {failure.Operation}: {failure.Detail}",
            ClusterFailureKind.StreamBroken => $"{name} stream broke during {failure.Operation}: {failure.Detail}",
            ClusterFailureKind.CircuitOpen when failure.Detail.StartsWith(HeldOpenByProbe, StringComparison.Ordinal) =>
                $"{name} is down as its health probe (GET /id) last saw it{ProbeReason(failure.Detail)}; calls are not sent until a probe succeeds (circuit open; {url})",
            ClusterFailureKind.CircuitOpen => $"{name} temporarily unavailable after repeated failures (circuit open; {url})",
            ClusterFailureKind.Cancelled => $"{name}: {failure.Operation} cancelled: {failure.Detail}",
            _ => $"{name}: {failure.Operation} failed: {failure.Detail}",
        };
    }

    private static string ProbeReason(string detail) =>
        detail.Length > HeldOpenByProbe.Length + 2 ? " (" + detail[(HeldOpenByProbe.Length + 2)..] + ")" : "";

    private static string After(TimeSpan? timeout) =>
        timeout is { } t && t > TimeSpan.Zero ? " after " + t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s" : "";

    private static string Status(HttpStatusCode? status) =>
        status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "an unexpected status";
}
