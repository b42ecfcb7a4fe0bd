using System.CommandLine;
using CompositeGateway.Cli;
using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Cli;

/// <summary>
/// <c>check-config</c> prints the whole effective configuration: every key of the one table
/// (<see cref="ConfigurationKeys"/>), and the values written in the file, not the defaults, for the keys an
/// operator of several underclusters sets (placement, weight, tags, required, replication factors).
/// </summary>
public sealed class CheckConfigEffectiveTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-effective-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task CheckConfig_PlacementAndPerUnderclusterKeysSet_PrintedAsWritten()
    {
        var output = await CheckConfigAsync("""
            placement:
              policy: spread
              copies: 2
              quorum: 1
              repo_stat_unreachable: fail
            underclusters:
              - name: eu
                url: http://10.0.0.1:9094
                ipfs_api: http://10.0.0.1:5001
                weight: 3
                tags: [region=eu, reliable]
                required: false
                replication_factor_min: 2
                replication_factor_max: 4
                auth:
                  username: admin
                  password_env: EU_PW
              - name: us
                url: http://10.0.1.1:9094
            """);
        Assert.Multiple(() =>
        {
            foreach (var line in new[]
            {
                "placement:", "  policy: spread", "  quorum: 1", "  copies: 2", "  repo_stat_unreachable: fail",
                "    weight: 3", "    required: false", "    replication_factor_min: 2", "    replication_factor_max: 4",
            })
            {
                Assert.That(output.Split('\n'), Does.Contain(line), output);
            }

            Assert.That(output.Split('\n'), Does.Contain("    tags: [\"region=eu\", \"reliable\"]"), output);
            Assert.That(output.Split('\n'), Does.Contain("    ipfs_api: \"http://10.0.0.1:5001/\""), output);
        });
    }

    [Test]
    public async Task CheckConfig_EveryKeyOfTheTable_IsPrinted()
    {
        // One self-signed certificate stands in for the server's, the CA bundle and the client certificate: only paths are printed.
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=check-config", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            foreach (var (cert, pem) in new[] { ("tls.crt", "tls.key"), ("cert.pem", "key.pem") })
            {
                await File.WriteAllTextAsync(Path.Combine(folder, cert), certificate.ExportCertificatePem());
                await File.WriteAllTextAsync(Path.Combine(folder, pem), key.ExportPkcs8PrivateKeyPem());
            }
        }

        var output = await CheckConfigAsync("""
            admin_auth:
              token_env: EU_PW
            tls:
              cert_file: tls.crt
              key_file: tls.key
            underclusters:
              - name: eu
                url: https://10.0.0.1:9094
                ipfs_api: http://10.0.0.1:5001
                auth:
                  username: admin
                  password_env: EU_PW
                tls:
                  ca_file: cert.pem
                  client_certificate_file: cert.pem
                  client_key_file: key.pem
            telemetry:
              otlp:
                endpoint: http://127.0.0.1:4318
                protocol: http/protobuf
            """);
        Assert.That(output.Split('\n'), Does.Contain("    endpoint: \"http://127.0.0.1:4318/\"").And.Contain("    protocol: http/protobuf"), output);
        var printed = output.Split('\n').Select(l => l.TrimStart(' ', '-').Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        // password_env / password_file (token_env / token_file) are shown as one "password: <from …>" ("token: …") line, never as themselves.
        var keys = Names(ConfigurationKeys.Root).Where(n => n is not ("password_env" or "password_file" or "token_env" or "token_file")).Distinct().ToList();
        Assert.That(keys, Has.Count.GreaterThan(30));
        Assert.That(keys, Is.SubsetOf(printed), output);
        Assert.That(printed, Does.Contain("password").And.Contain("token"));
    }

    private static IEnumerable<string> Names(CompositeGateway.Configuration.ConfigurationSection section) =>
        section.Keys.SelectMany(k => k.Child is { } child ? Names(child).Prepend(k.Name) : [k.Name]);

    private async Task<string> CheckConfigAsync(string yaml)
    {
        var path = Path.Combine(folder, "gateway.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await GatewayCommandLine.InvokeAsync(
            ["check-config", "--config", path],
            new InvocationConfiguration { Output = output, Error = error },
            new Dictionary<string, string> { ["EU_PW"] = "secret" });
        Assert.That(exit, Is.Zero, error.ToString());
        Assert.That(output.ToString(), Does.Not.Contain("secret"));
        return output.ToString();
    }
}
