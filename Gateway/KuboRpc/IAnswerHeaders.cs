namespace CompositeGateway.KuboRpc;

/// <summary>Headers added to the gateway's own answers before they start (e.g. copied from a daemon, docs/forwarding.md).</summary>
internal interface IAnswerHeaders
{
    Task ApplyAsync(HttpContext http, CancellationToken cancellationToken);
}
