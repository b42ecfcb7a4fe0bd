using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CompositeGateway.Configuration;

/// <summary>
/// Reads the PEM files <c>underclusters[i].tls</c> names: once when the configuration is loaded (so a bad file is a
/// configuration problem naming its key) and again when the undercluster's transport is built.
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

    /// <summary>The client certificate with its private key; null with <paramref name="error"/> when they cannot be read or do not match.</summary>
    public static X509Certificate2? ReadClientCertificate(string certificatePath, string keyPath, out string? error)
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
}
