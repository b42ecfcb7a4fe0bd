namespace CompositeGateway.Telemetry;

/// <summary>The closed set of <c>kind</c> values of <c>gateway_kubo_errors_total</c>.</summary>
internal static class KuboErrorKinds
{
    public const string BadArgument = "bad_argument";
    public const string NotPinned = "not_pinned";
    public const string Unreachable = "unreachable";
    public const string Timeout = "timeout";
    public const string Inception = "inception";
    public const string NotAllowed = "not_allowed";
    public const string NotFound = "not_found";
    public const string UnderclusterError = "undercluster_error";
    public const string Internal = "internal";
}
