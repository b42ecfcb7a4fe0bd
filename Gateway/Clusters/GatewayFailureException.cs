namespace CompositeGateway.Clusters;

/// <summary>Thrown only across streaming boundaries (the full pin listing), where a value cannot be returned.</summary>
internal sealed class GatewayFailureException(GatewayFailure failure) : Exception(failure.Message)
{
    public GatewayFailure Failure { get; } = failure;
}
