using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CompositeGateway.Configuration;

namespace CompositeGateway.Clusters;

/// <summary>
/// <c>underclusters[i].tls</c> applied to an undercluster's transport: a CA bundle that replaces the system trust store
/// for this undercluster only, a client certificate (mTLS), or — opt-in, warned about at every start — no
/// verification at all. Without <c>tls</c> an <c>https</c> URL is verified against the system trust store.
/// </summary>
internal static class ClusterTls
{
    public static void Apply(SocketsHttpHandler handler, UnderclusterTlsOptions? tls)
    {
        if (tls is null)
        {
            return;
        }

        var ssl = handler.SslOptions;
        if (tls.ClientCertificateFile is { } certificateFile && tls.ClientKeyFile is { } keyFile)
        {
            var certificate = TlsFiles.ReadCertificateWithKey(certificateFile, keyFile, out var error)
                ?? throw new InvalidOperationException(error);
            ssl.ClientCertificates = [certificate];
            // Shown whatever CAs the server names in its request: ipfs-cluster (Go) sends none by default.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        if (tls.InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (tls.CaFile is { } caFile)
        {
            var roots = TlsFiles.ReadCaBundle(caFile, out var error) ?? throw new InvalidOperationException(error);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Verify(certificate, errors, roots);
        }
    }

    /// <summary>
    /// The server's chain must end in one of <paramref name="roots"/> (custom root trust: the system store plays no part)
    /// and its name must match the URL's host; the name check is the platform's, kept from <paramref name="errors"/>.
    /// </summary>
    private static bool Verify(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Intermediates shipped in the bundle help build the chain too.
        chain.ChainPolicy.ExtraStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // SslStream hands over an X509Certificate2 it owns; a copy is made (and disposed) only otherwise.
        if (certificate is X509Certificate2 owned)
        {
            return chain.Build(owned);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(copy);
    }
}
