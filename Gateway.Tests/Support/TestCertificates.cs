namespace CompositeGateway.Tests.Support;

/// <summary>
/// A throw-away PKI made by the real <c>openssl</c> in a temp folder: a server CA and a server certificate for
/// 127.0.0.1/localhost, a separate client CA and a client certificate signed by it, and an unrelated CA (a "wrong"
/// trust anchor). Keys are written 0600, as an operator would.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder) => Folder = folder;

    public string Folder { get; }

    public string ServerCa => Path.Combine(Folder, "server-ca.pem");

    public string ServerCertificate => Path.Combine(Folder, "server.pem");

    public string ServerKey => Path.Combine(Folder, "server.key");

    public string ClientCa => Path.Combine(Folder, "client-ca.pem");

    public string ClientCertificate => Path.Combine(Folder, "client.pem");

    public string ClientKey => Path.Combine(Folder, "client.key");

    /// <summary>A CA that signed nothing here.</summary>
    public string OtherCa => Path.Combine(Folder, "other-ca.pem");

    /// <summary>Makes the files; ignores the test with a notice when openssl is missing.</summary>
    public static async Task<TestCertificates> CreateAsync()
    {
        var openssl = ExternalTool.Require("openssl", "openssl");
        var folder = Path.Combine(Path.GetTempPath(), "cg-pki-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var pki = new TestCertificates(folder);
        try
        {
            await pki.CaAsync(openssl, "server-ca");
            await pki.CaAsync(openssl, "client-ca");
            await pki.CaAsync(openssl, "other-ca");
            await pki.LeafAsync(openssl, "server", "server-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
            await pki.LeafAsync(openssl, "client", "client-ca", "extendedKeyUsage=clientAuth");
            return pki;
        }
        catch
        {
            pki.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task CaAsync(string openssl, string name) => await RunAsync(openssl,
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", $"/CN=CompositeGateway test {name}", "-keyout", Path.Combine(Folder, name + ".key"), "-out", Path.Combine(Folder, name + ".pem"));

    private async Task LeafAsync(string openssl, string name, string ca, string extensions)
    {
        var extFile = Path.Combine(Folder, name + ".ext");
        await File.WriteAllTextAsync(extFile, extensions + "\n");
        await RunAsync(openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", $"/CN=CompositeGateway test {name}", "-keyout", Path.Combine(Folder, name + ".key"), "-out", Path.Combine(Folder, name + ".csr"));
        await RunAsync(openssl, "x509", "-req", "-in", Path.Combine(Folder, name + ".csr"), "-CA", Path.Combine(Folder, ca + ".pem"),
            "-CAkey", Path.Combine(Folder, ca + ".key"), "-CAcreateserial", "-days", "2", "-extfile", extFile, "-out", Path.Combine(Folder, name + ".pem"));
        File.SetUnixFileMode(Path.Combine(Folder, name + ".key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task RunAsync(string openssl, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(openssl, arguments, Folder);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {result}");
        }
    }
}
