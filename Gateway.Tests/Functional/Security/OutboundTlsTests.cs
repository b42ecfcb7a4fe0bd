using System.Runtime.Versioning;
using CompositeGateway.Configuration;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Functional.Security;

/// <summary>
/// The gateway calling an undercluster over https (docs/security-outbound.md): the emulator behind real TLS with a
/// certificate made by openssl at test time, a client certificate required (mTLS), and the gateway's trust settings.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class OutboundTlsTests
{
    [Test]
    public async Task MutualTls_CaFileAndClientCertificate_PinListUnpinOverHttps()
    {
        using var pki = await TestCertificates.CreateAsync();
        await using var environment = await StartAsync(pki, requireClientCertificate: true);
        var gateway = await environment.AddGatewayAsync(o => WithTls(o, new UnderclusterTlsOptions
        {
            CaFile = pki.ServerCa,
            ClientCertificateFile = pki.ClientCertificate,
            ClientKeyFile = pki.ClientKey,
        }));
        var cid = TestEnvironment.NewCid();

        var pin = await gateway.Go.PinAsync(cid);
        Assert.That(pin.Error, Is.Null);
        Assert.Multiple(async () =>
        {
            Assert.That(environment.Cluster.BaseAddress.Scheme, Is.EqualTo("https"));
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null, "pinned in the undercluster behind TLS");
            Assert.That((await gateway.Go.PinLsCidAsync(cid)).Status, Is.EqualTo(IpfsPinStatus.Recursive));
            Assert.That(await gateway.Go.UnpinAsync(cid), Is.Null);
            Assert.That(environment.Cluster.GetPin(cid), Is.Null);
            Assert.That(gateway.Logs.Entries.Where(e => e.EventId.Id == 1041), Is.Empty, "no insecure warning");
        });
    }

    [Test]
    public async Task MutualTls_NoClientCertificate_RefusedByTheUnderclusterAndNamed()
    {
        using var pki = await TestCertificates.CreateAsync();
        await using var environment = await StartAsync(pki, requireClientCertificate: true);
        var gateway = await environment.AddGatewayAsync(o => WithTls(o, new UnderclusterTlsOptions { CaFile = pki.ServerCa }));

        var pin = await gateway.Go.PinAsync(TestEnvironment.NewCid());

        Assert.That(pin.Error?.Text, Does.Contain("lab-0"));
        Assert.That(environment.Cluster.ReceivedRequests, Is.Empty, "the handshake failed before any request");
    }

    [TestCase(false, TestName = "Https_SystemTrustStoreDoesNotKnowTheCa_NoRequestSent")]
    [TestCase(true, TestName = "Https_CaFileOfAnotherCa_NoRequestSent")]
    public async Task Https_UntrustedServer_NoRequestSent(bool otherCa)
    {
        using var pki = await TestCertificates.CreateAsync();
        await using var environment = await StartAsync(pki, requireClientCertificate: false);
        var gateway = await environment.AddGatewayAsync(o => otherCa ? WithTls(o, new UnderclusterTlsOptions { CaFile = pki.OtherCa }) : o);

        var pin = await gateway.Go.PinAsync(TestEnvironment.NewCid());

        Assert.That(pin.Error, Is.Not.Null);
        Assert.That(environment.Cluster.ReceivedRequests, Is.Empty, "nothing, credentials included, sent to a server not proven");
    }

    [Test]
    public async Task InsecureSkipVerify_UntrustedServerAccepted_WarnedAtStart()
    {
        using var pki = await TestCertificates.CreateAsync();
        await using var environment = await StartAsync(pki, requireClientCertificate: false);
        var gateway = await environment.AddGatewayAsync(o => WithTls(o, new UnderclusterTlsOptions { InsecureSkipVerify = true }));
        var cid = TestEnvironment.NewCid();

        Assert.That((await gateway.Go.PinAsync(cid)).Error, Is.Null);
        var warnings = gateway.Logs.Entries.Where(e => e.EventId.Id == 1041).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warnings[0].Message, Does.Contain("lab-0").And.Contain("insecure_skip_verify"));
    }

    internal static GatewayOptions WithTls(GatewayOptions options, UnderclusterTlsOptions tls) =>
        options with { Underclusters = [.. options.Underclusters.Select(u => u with { Tls = tls })] };

    private static Task<TestEnvironment> StartAsync(TestCertificates pki, bool requireClientCertificate) => TestEnvironment.StartAsync(new TestEnvironmentOptions
    {
        Gateways = 0,
        Cluster = new EmulatedClusterOptions
        {
            Tls = new LabTlsOptions
            {
                CertificateFile = pki.ServerCertificate,
                KeyFile = pki.ServerKey,
                ClientCaFile = requireClientCertificate ? pki.ClientCa : null,
            },
        },
        // A refused handshake is not worth retrying for long in a test.
        UnderclusterTimeout = TimeSpan.FromSeconds(3),
    });
}
