using System.Security.Cryptography.X509Certificates;

namespace CompositeGateway.Lab;

/// <summary>
/// The emulated REST API behind TLS (ipfs-cluster's <c>restapi.ssl_cert_file</c> / <c>ssl_key_file</c>), and, lab only,
/// a client certificate required and checked against <see cref="ClientCaFile"/>, as a TLS-terminating proxy in front of
/// an undercluster would. PEM files.
/// </summary>
internal sealed record LabTlsOptions
{
    public required string CertificateFile { get; init; }

    public required string KeyFile { get; init; }

    /// <summary>CA bundle client certificates must chain to; null = no client certificate asked for.</summary>
    public string? ClientCaFile { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (option, file) in new[] { ("tls-cert", CertificateFile), ("tls-key", KeyFile), ("tls-client-ca", ClientCaFile) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"{option}: {file} does not exist");
            }
        }

        return errors;
    }

    public X509Certificate2 LoadCertificate() => X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);

    /// <summary>The client CAs, or null when no client certificate is required.</summary>
    public X509Certificate2Collection? LoadClientCas()
    {
        if (ClientCaFile is null)
        {
            return null;
        }

        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(ClientCaFile);
        return cas;
    }
}
