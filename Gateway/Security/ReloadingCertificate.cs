using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CompositeGateway.Configuration;

namespace CompositeGateway.Security;

/// <summary>
/// The <c>tls</c> certificate, re-read when its files change (cert-manager and similar tools rotate them in place,
/// often by swapping a symlink, which file watchers miss): every <see cref="TlsOptions.ReloadCheckInterval"/> both files
/// are read and compared by content with what is being served. A pair that does not load (the certificate written,
/// the key not yet) keeps the previous certificate in service and is tried again at the next check. The PEM file may
/// hold the chain: the first certificate is the server's, the rest are sent as intermediates.
/// </summary>
internal sealed class ReloadingCertificate : IDisposable
{
    private readonly TlsOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private ILogger? logger;
    private ITimer? timer;
    private byte[] loadedHash;
    private volatile SslServerAuthenticationOptions current;

    public ReloadingCertificate(TlsOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        (current, loadedHash) = Load(out var error) ?? throw new InvalidOperationException($"cannot load the TLS certificate {options.CertFile}: {error}");
    }

    /// <summary>What the next TLS handshake uses: the certificate (with its chain) as last loaded.</summary>
    public SslServerAuthenticationOptions Current => current;

    /// <summary>The leaf certificate being served.</summary>
    public X509Certificate2 Certificate => (X509Certificate2)current.ServerCertificateContext!.TargetCertificate;

    /// <summary>Starts watching the files; logs the certificate in use.</summary>
    public void Start(ILogger log)
    {
        logger = log;
        SecurityLog.CertificateLoaded(log, options.CertFile, Certificate.Subject, Certificate.NotAfter.ToUniversalTime());
        timer = time.CreateTimer(_ => Check(), null, options.ReloadCheckInterval, options.ReloadCheckInterval);
    }

    public void Dispose() => timer?.Dispose();

    private void Check()
    {
        lock (gate)
        {
            byte[] hash;
            try
            {
                hash = HashFiles();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Mid-rotation the files may be briefly missing; the next check sees the new ones.
                return;
            }

            if (hash.AsSpan().SequenceEqual(loadedHash))
            {
                return;
            }

            if (Load(out var error) is { } loaded)
            {
                (current, loadedHash) = loaded;
                if (logger is not null)
                {
                    SecurityLog.CertificateLoaded(logger, options.CertFile, Certificate.Subject, Certificate.NotAfter.ToUniversalTime());
                }
            }
            else if (logger is not null)
            {
                SecurityLog.CertificateReloadFailed(logger, options.CertFile, options.KeyFile, error!);
                // Remember the failed pair so that one bad state is logged once, not every interval.
                loadedHash = hash;
            }
        }
    }

    private (SslServerAuthenticationOptions, byte[])? Load(out string? error)
    {
        try
        {
            var hash = HashFiles();
            if (TlsFiles.ReadCertificateWithKey(options.CertFile, options.KeyFile, out error) is not { } leaf)
            {
                return null;
            }

            var intermediates = TlsFiles.ReadIntermediates(options.CertFile, leaf);
            error = null;
            return (new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true),
                // Set here rather than left to Kestrel, which would fill it in on this shared object at the first handshakes.
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, hash);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error = e.Message;
            return null;
        }
    }

    private byte[] HashFiles()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(options.CertFile));
        hash.AppendData(File.ReadAllBytes(options.KeyFile));
        return hash.GetHashAndReset();
    }
}
