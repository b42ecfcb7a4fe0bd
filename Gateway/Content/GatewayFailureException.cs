using CompositeGateway.Clusters;

namespace CompositeGateway.Content;

/// <summary>
/// Thrown only by the writes of an upload fan-out (<see cref="UploadFanOut"/>, <see cref="CarFanOut"/>): a write
/// into a block sink cannot return a value, and the producer (a request body loop, an importer) must stop at once.
/// The upload commands catch it and answer its failure; listings end with a value instead (<c>Listing&lt;T&gt;</c>).
/// </summary>
internal sealed class GatewayFailureException(GatewayFailure failure) : Exception(failure.Message)
{
    public GatewayFailure Failure { get; } = failure;
}
