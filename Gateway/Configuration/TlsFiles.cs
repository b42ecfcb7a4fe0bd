using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CompositeGateway.Configuration;

/// <summary>
/// The one reader of the PEM files the configuration names (<c>tls</c>, <c>underclusters[i].tls</c>): once when the
/// configuration is loaded (so a bad file is a configuration problem naming its key) and again where they are used
/// (the undercluster's transport, the server certificate and its reloads).
/// </summary>
internal static class TlsFiles
{
    /// <summary>Every certificate of a PEM bundle; null with <paramref name="error"/> when there is none or it cannot be read.</summary>
    public static X509Certificate2Collection? ReadCaBundle(string path, out string? error)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            error = $"cannot read the CA bundle {path}: {e.Message}";
            return null;
        }

        if (bundle.Count == 0)
        {
            error = $"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
            return null;
        }

        error = null;
        return bundle;
    }

    /// <summary>A certificate with its private key; null with <paramref name="error"/> when they cannot be read or do not match.</summary>
    public static X509Certificate2? ReadCertificateWithKey(string certificatePath, string keyPath, out string? error)
    {
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            error = null;
            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The message names what is wrong (no key, key does not match); it never holds the key's bytes.
            error = $"cannot use {certificatePath} with the key {keyPath}: {e.Message}";
            return null;
        }
    }

    /// <summary>The certificates of a PEM chain file other than <paramref name="leaf"/>: the intermediates a server sends.</summary>
    public static X509Certificate2Collection ReadIntermediates(string chainPath, X509Certificate2 leaf)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(chainPath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                intermediates.Add(certificate);
            }
        }

        return intermediates;
    }
}
