using System.Runtime.Versioning;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Configuration;

/// <summary><c>underclusters[i].tls</c> and <c>auth.mode</c> (docs/security-outbound.md), with real PEM files made by openssl.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class OutboundSecurityConfigurationTests
{
    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public async Task LoadText_TlsAndJwt_PathsResolvedAgainstTheConfigFolder()
    {
        using var pki = await TestCertificates.CreateAsync();
        File.Copy(pki.ServerCa, Path.Combine(files.Directory, "ca.pem"));
        File.Copy(pki.ClientCertificate, Path.Combine(files.Directory, "client.pem"));
        File.Copy(pki.ClientKey, Path.Combine(files.Directory, "client.key"));
        files.Write("pw", "secret\n");
        var result = files.Load("""
            underclusters:
              - name: a
                url: https://127.0.0.1:9094
                auth:
                  mode: jwt
                  username: gw
                  password_file: pw
                tls:
                  ca_file: ca.pem
                  client_certificate_file: client.pem
                  client_key_file: client.key
            """);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var undercluster = result.Options!.Underclusters[0];
        Assert.Multiple(() =>
        {
            Assert.That(undercluster.Auth!.Mode, Is.EqualTo(ClusterAuthMode.Jwt));
            Assert.That(undercluster.Tls, Is.EqualTo(new UnderclusterTlsOptions
            {
                CaFile = Path.Combine(files.Directory, "ca.pem"),
                ClientCertificateFile = Path.Combine(files.Directory, "client.pem"),
                ClientKeyFile = Path.Combine(files.Directory, "client.key"),
            }));
        });
    }

    [Test]
    public void LoadText_AuthWithoutMode_Basic()
    {
        var result = files.Load("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth: { username: gw, password_env: PW }
            """, new Dictionary<string, string> { ["PW"] = "x" });
        Assert.That(result.Options?.Underclusters[0].Auth?.Mode, Is.EqualTo(ClusterAuthMode.Basic), string.Join("\n", result.Problems));
    }

    [Test]
    public async Task LoadText_BadTlsSettings_EachReportedAtItsKey()
    {
        using var pki = await TestCertificates.CreateAsync();
        var notPem = files.Write("not.pem", "hello\n");
        Assert.That(files.Problems($"""
            underclusters:
              - name: plain
                url: http://127.0.0.1:9094
                tls: {"{"} insecure_skip_verify: true {"}"}
              - name: nokey
                url: https://127.0.0.1:9095
                tls:
                  client_certificate_file: {pki.ClientCertificate}
              - name: mismatch
                url: https://127.0.0.1:9096
                tls:
                  ca_file: {notPem}
                  client_certificate_file: {pki.ClientCertificate}
                  client_key_file: {pki.ServerKey}
              - name: both
                url: https://127.0.0.1:9097
                tls:
                  ca_file: {pki.ServerCa}
                  insecure_skip_verify: true
              - name: missing
                url: https://127.0.0.1:9098
                auth: {"{"} mode: oauth, username: u, password_env: PW {"}"}
                tls:
                  ca_file: absent.pem
            """, new Dictionary<string, string> { ["PW"] = "x" }), Is.EqualTo(new[]
        {
            "underclusters[0].tls (line 4): applies to https URLs only, and url is http: write url: https://…",
            "underclusters[1].tls (line 8): set both client_certificate_file and client_key_file (a client certificate needs its key), or neither",
            $"underclusters[2].tls.ca_file (line 12): {notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            "underclusters[2].tls.client_certificate_file (line 13): " + Problem(pki.ClientCertificate, pki.ServerKey),
            "underclusters[3].tls.insecure_skip_verify (line 19): true accepts any server certificate, so ca_file would be ignored: set one of them",
            "underclusters[4].auth.mode (line 22): " + ModeProblem(),
            $"underclusters[4].tls.ca_file (line 24): file {Path.Combine(files.Directory, "absent.pem")} does not exist",
        }));

        static string Problem(string certificate, string key)
        {
            TlsFiles.ReadCertificateWithKey(certificate, key, out var error);
            return error!;
        }

        static string ModeProblem() => ConfigurationKeys.Auth["mode"].Kind.Parse!("oauth", out var error) is null ? error! : "parsed";
    }

    [Test]
    public async Task Warnings_SecretFilesOthersCanRead_OneEachNamingItsKey()
    {
        using var pki = await TestCertificates.CreateAsync();
        var password = files.Write("pw", "secret\n");
        var key = Path.Combine(files.Directory, "client.key");
        File.Copy(pki.ClientKey, key);
        var yaml = """
            underclusters:
              - name: a
                url: https://127.0.0.1:9094
                auth: { username: gw, password_file: pw }
                tls: { client_certificate_file: CERT, client_key_file: client.key }
            """.Replace("CERT", pki.ClientCertificate, StringComparison.Ordinal);

        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(SecretFiles.Warnings(files.Load(yaml).Options!), Is.Empty, "0600: nothing to say");

        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.That(SecretFiles.Warnings(files.Load(yaml).Options!), Is.EqualTo(new[]
        {
            $"underclusters[0].auth.password_file {password} is accessible to group or others (mode 644); it holds a password: chmod 600 {password}",
            $"underclusters[0].tls.client_key_file {key} is accessible to group or others (mode 440); it holds a private key: chmod 600 {key}",
        }));
    }

    [Test]
    public void Warnings_InboundSecretFilesOthersCanRead_OneEachNamingItsKey()
    {
        var secret = files.Write("peer.secret", "bearer:s3cret\n");
        var token = files.Write("admin.token", "t0ken\n");
        var yaml = """
            admin_auth: { token_file: admin.token }
            kubo_rpc:
              authorizations:
                peer: { secret_file: peer.secret, allowed_paths: ["/api/v0"] }
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
            """;

        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(token, UnixFileMode.UserRead);
        Assert.That(SecretFiles.Warnings(files.Load(yaml).Options!), Is.Empty, "0600 and 0400: nothing to say");

        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.That(SecretFiles.Warnings(files.Load(yaml).Options!), Is.EqualTo(new[]
        {
            $"admin_auth.token_file {token} is accessible to group or others (mode 440); it holds a token: chmod 600 {token}",
            $"kubo_rpc.authorizations.peer.secret_file {secret} is accessible to group or others (mode 604); it holds a secret: chmod 600 {secret}",
        }));
    }
}
