namespace CompositeGateway.Hosting;

/// <summary>Start-up and shutdown events of the host. Event ids 1000–1099 belong to Hosting.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1000, LogLevel.Information, "Kubo RPC API listening on {Address}")]
    public static partial void KuboRpcListening(ILogger logger, string address);

    [LoggerMessage(1001, LogLevel.Information, "Admin endpoints listening on {Address}")]
    public static partial void AdminListening(ILogger logger, string address);

    [LoggerMessage(1002, LogLevel.Information, "Peer ID {PeerId} (identity file {IdentityFile})")]
    public static partial void PeerIdentity(ILogger logger, string peerId, string identityFile);

    [LoggerMessage(1003, LogLevel.Information, "Created a new identity key in {IdentityFile}")]
    public static partial void IdentityCreated(ILogger logger, string identityFile);

    [LoggerMessage(1004, LogLevel.Warning, "{Warning}")]
    public static partial void IdentityWarning(ILogger logger, string warning);

    [LoggerMessage(1005, LogLevel.Information, "Undercluster {Name} at {Url}")]
    public static partial void Undercluster(ILogger logger, string name, Uri url);

    [LoggerMessage(1007, LogLevel.Information, "Kubo RPC API without authorization listening on {Address}")]
    public static partial void UnauthenticatedKuboRpcListening(ILogger logger, string address);

    [LoggerMessage(1008, LogLevel.Information, "Kubo RPC authorization required on {Address}: {Count} entries in kubo_rpc.authorizations")]
    public static partial void KuboRpcAuthorization(ILogger logger, string address, int count);

    [LoggerMessage(1006, LogLevel.Information, "Configuration loaded from {ConfigFile}")]
    public static partial void ConfigurationLoaded(ILogger logger, string configFile);

    // 1040–1049: secret files and outbound security (docs/security-outbound.md).
    [LoggerMessage(1040, LogLevel.Warning, "{Warning}")]
    public static partial void SecretFileWarning(ILogger logger, string warning);

    [LoggerMessage(1041, LogLevel.Warning, "Undercluster {Name} at {Url}: tls.insecure_skip_verify is on: any server certificate is accepted, so anyone on the network path can read and change its calls, credentials included")]
    public static partial void InsecureSkipVerify(ILogger logger, string name, Uri url);
}
