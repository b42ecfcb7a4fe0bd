namespace CompositeGateway.Clusters;

/// <summary>Where a call to the composition layer failed, in words an operator can act on.</summary>
/// <param name="Message">Shown to the overcluster peer as the Kubo error <c>Message</c>.</param>
/// <param name="Transient">Whether retrying later may succeed (undercluster unreachable, timeout) as opposed to a refusal.</param>
internal sealed record GatewayFailure(string Message, bool Transient);

/// <summary>Thrown only across streaming boundaries (the full pin listing), where a value cannot be returned.</summary>
internal sealed class GatewayFailureException(GatewayFailure failure) : Exception(failure.Message)
{
    public GatewayFailure Failure { get; } = failure;
}
