namespace CompositeGateway.Telemetry;

/// <summary>The closed set of <c>outcome</c> values of <c>gateway_pin_waits_total</c>.</summary>
internal static class PinWaitOutcomes
{
    public const string Pinned = "pinned";
    public const string PinError = "pin_error";
    public const string WaitLimit = "wait_limit";
    public const string Unreachable = "unreachable";

    /// <summary>The peer gave up on the request, or an unpin of the CID ended the wait.</summary>
    public const string Cancelled = "cancelled";
}
