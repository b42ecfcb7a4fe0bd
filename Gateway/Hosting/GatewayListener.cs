namespace CompositeGateway.Hosting;

/// <summary>The two listeners of the gateway; every endpoint belongs to exactly one of them.</summary>
internal enum GatewayListener
{
    /// <summary><c>listen</c>: the Kubo RPC API for the overcluster peer.</summary>
    KuboRpc,

    /// <summary><c>admin_listen</c>: health, readiness and metrics for operators.</summary>
    Admin,
}

/// <summary>Endpoint metadata naming the listener an endpoint is served on (see <see cref="ListenerRouting"/>).</summary>
internal sealed record ListenerMetadata(GatewayListener Listener);
