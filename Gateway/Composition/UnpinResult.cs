using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

internal sealed record UnpinResult(UnpinOutcome Outcome, GatewayFailure? Failure = null);
