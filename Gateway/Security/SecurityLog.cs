namespace CompositeGateway.Security;

/// <summary>Refused requests and certificate reloads. Event ids 1700–1799 belong to Security. No line ever holds a secret.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(1700, LogLevel.Warning, "Refused a request on the {Listener} listener to {Path} from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string listener, string path, string remote, string reason);

    [LoggerMessage(1701, LogLevel.Warning, "{Count} more refused requests in the last {Window} were not logged")]
    public static partial void RefusalsSuppressed(ILogger logger, long count, TimeSpan window);

    [LoggerMessage(1702, LogLevel.Information, "TLS certificate loaded from {CertFile}: {Subject}, valid until {NotAfter:u}")]
    public static partial void CertificateLoaded(ILogger logger, string certFile, string subject, DateTime notAfter);

    [LoggerMessage(1703, LogLevel.Warning, "TLS certificate {CertFile} changed but could not be loaded with {KeyFile} ({Error}); still serving the previous one")]
    public static partial void CertificateReloadFailed(ILogger logger, string certFile, string keyFile, string error);
}
