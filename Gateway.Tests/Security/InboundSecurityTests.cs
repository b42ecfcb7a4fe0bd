using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Security;

/// <summary>
/// Kubo's authorization model, the unauthenticated listeners for the Go peer, TLS and the admin token, against the real
/// gateway on Kestrel and the emulator, driven by real clients: kubo-rpc-client, curl, openssl, a raw socket.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class InboundSecurityTests
{
    private static readonly string PeerToken = "peer-" + Guid.NewGuid().ToString("N");
    private static readonly string DashPassword = "dash-" + Guid.NewGuid().ToString("N");

    internal static KuboRpcOptions WithAuthorizations(string peerToken, string dashPassword) => new()
    {
        Authorizations =
        [
            new KuboAuthorization { Name = "overcluster-peer", Secret = "bearer:" + peerToken, SecretSource = "env GW_PEER_SECRET", AllowedPaths = ["/api/v0"] },
            new KuboAuthorization { Name = "dashboard", Secret = "basic:dash:" + dashPassword, SecretSource = "file /run/secrets/dash", AllowedPaths = ["/api/v0/pin/ls", "/api/v0/id"] },
        ],
    };

    [Test]
    public async Task KuboRpcClient_BearerBasicMissingWrong_AllowedForbiddenRefusedAsKubo()
    {
        NodeClients.RequireInstalled();
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { KuboRpc = WithAuthorizations(PeerToken, DashPassword) });
        var gateway = environment.Gateway;
        var cid = TestEnvironment.NewCid();
        var blocksBefore = environment.Cluster.State.Blocks.Count;
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("dash:" + DashPassword));
        var script = $$"""
            (async () => {
              const { create } = await import('kubo-rpc-client');
              const url = '{{gateway.KuboRpcUrl}}api/v0';
              const as = (authorization) => create({ url, headers: authorization ? { authorization } : {} });
              const peer = as('Bearer {{PeerToken}}'), dash = as('{{basic}}'), none = as(null), wrong = as('Bearer not-the-token');
              const attempt = async (f) => { try { const v = await f(); return 'ok ' + v; } catch (e) { return 'error ' + e.message; } };
              const list = async (c) => { const out = []; for await (const p of c.pin.ls({ paths: '{{cid}}' })) out.push(p.cid.toString()); return out.join(','); };
              const out = {};
              out.peerId = await attempt(async () => (await peer.id()).id.toString());
              out.peerPin = await attempt(async () => (await peer.pin.add('{{cid}}')).toString());
              out.dashLs = await attempt(() => list(dash));
              out.dashId = await attempt(async () => (await dash.id()).id.toString());
              out.dashVersion = await attempt(async () => (await dash.version()).version);
              out.dashPin = await attempt(async () => (await dash.pin.add('{{cid}}')).toString());
              out.noneId = await attempt(async () => (await none.id()).id.toString());
              out.wrongLs = await attempt(() => list(wrong));
              out.noneAdd = await attempt(async () => (await none.add('refused before its body is read {{cid}}')).cid.toString());
              const raw = await fetch(url + '/id', { method: 'POST' });
              out.rawStatus = raw.status;
              out.rawChallenge = raw.headers.get('www-authenticate');
              out.rawBody = await raw.json();
              const forbidden = await fetch(url + '/pin/add?arg={{cid}}', { method: 'POST', headers: { authorization: '{{basic}}' } });
              out.forbiddenStatus = forbidden.status;
              out.forbiddenBody = await forbidden.json();
              console.log(JSON.stringify(out));
            })().catch(e => { console.error(e); process.exit(1); });
            """;

        var result = await NodeClients.RunAsync(script);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        string Text(string name) => output.GetProperty(name).ToString();
        Assert.Multiple(() =>
        {
            Assert.That(Text("peerId"), Is.EqualTo("ok " + gateway.PeerId));
            Assert.That(Text("peerPin"), Is.EqualTo("ok " + cid));
            Assert.That(Text("dashLs"), Is.EqualTo("ok " + cid));
            Assert.That(Text("dashId"), Is.EqualTo("ok " + gateway.PeerId));
            Assert.That(Text("dashVersion"), Does.StartWith("ok "), "version is allowed to every entry, as in Kubo");
            Assert.That(Text("dashPin"), Does.StartWith("error ").And.Contain("not in the allowed_paths"));
            Assert.That(Text("noneId"), Does.StartWith("error Kubo RPC Access Denied"));
            Assert.That(Text("wrongLs"), Does.StartWith("error Kubo RPC Access Denied"));
            Assert.That(Text("noneAdd"), Does.StartWith("error "));
            Assert.That(output.GetProperty("rawStatus").GetInt32(), Is.EqualTo(401));
            Assert.That(Text("rawChallenge"), Does.Contain("Bearer").And.Contain("Basic"));
            Assert.That(output.GetProperty("rawBody").GetProperty("Type").GetString(), Is.EqualTo("error"));
            Assert.That(output.GetProperty("rawBody").GetProperty("Message").GetString(), Is.EqualTo(CompositeGateway.Security.KuboAuthorizationMiddleware.DeniedMessage));
            Assert.That(output.GetProperty("forbiddenStatus").GetInt32(), Is.EqualTo(403));
            Assert.That(output.GetProperty("forbiddenBody").GetProperty("Type").GetString(), Is.EqualTo("error"));
            Assert.That(environment.Cluster.State.Blocks.Count, Is.EqualTo(blocksBefore), "the refused add reached the undercluster");
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null, "the bearer pin/add reached the undercluster");
        });
    }

    [Test]
    public async Task StreamingAdd_BodyNeverFinished_RefusedAtOnceAndUnderclusterSeesNothing()
    {
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { KuboRpc = WithAuthorizations(PeerToken, DashPassword) });
        var endPoint = (IPEndPoint)environment.Gateway.Host.KuboRpcEndPoint;
        var blocksBefore = environment.Cluster.State.Blocks.Count;
        using var client = new TcpClient();
        await client.ConnectAsync(endPoint);
        var stream = client.GetStream();
        // Headers and the first chunk of a multipart body whose end never comes: an answer proves the body was not awaited.
        var head = "POST /api/v0/add?pin=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: multipart/form-data; boundary=b\r\n\r\n";
        var part = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: application/octet-stream\r\n\r\nsome bytes of a file";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + $"{part.Length:x}\r\n{part}\r\n"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, read);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Does.StartWith("HTTP/1.1 401"));
            Assert.That(answer, Does.Contain("Connection: close"));
            Assert.That(environment.Cluster.State.Blocks.Count, Is.EqualTo(blocksBefore));
        });
    }

    [Test]
    public async Task GoPeer_OnUnauthenticatedLoopbackAndUnixSocket_WhileTcpListenRequiresCredentials()
    {
        var socket = Path.Combine(Path.GetTempPath(), "cg-sec-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions
        {
            KuboRpc = WithAuthorizations(PeerToken, DashPassword) with { UnauthenticatedListen = ["127.0.0.1:0", "unix:" + socket] },
        });
        var gateway = environment.Gateway;
        var open = gateway.Host.UnauthenticatedKuboRpcEndPoints;
        using var goOnLoopback = new GoIpfsConnector(new Uri($"http://{open[0]}/"));
        var cid = TestEnvironment.NewCid();

        var pinned = await goOnLoopback.PinAsync(cid);
        var listed = await goOnLoopback.PinLsCidAsync(cid);
        var idOnTcp = await gateway.Go.IdAsync();
        var curl = ExternalTool.Require("curl", "curl");
        var viaSocket = await ExternalTool.RunAsync(curl, ["-s", "-X", "POST", "--unix-socket", socket, "http://localhost/api/v0/id"]);

        Assert.Multiple(() =>
        {
            Assert.That(pinned.Error, Is.Null);
            Assert.That(listed.Error, Is.Null);
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null);
            Assert.That(idOnTcp.Error?.StatusCode, Is.EqualTo(401), "listen requires credentials");
            Assert.That(viaSocket.Stdout, Does.Contain(gateway.PeerId), viaSocket.ToString());
            Assert.That(File.GetUnixFileMode(socket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite));
        });
    }

    [Test]
    public async Task Tls_CurlWithTestCa_ServesRotatedCertificateWithoutRestart_AdminTokenGuardsMetrics()
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var pki = await TestPki.CreateAsync();
        await pki.IssueAsync("gw-one", pki.CertFile, pki.KeyFile);
        var adminToken = "admin-" + Guid.NewGuid().ToString("N");
        await using var environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0, KuboRpc = WithAuthorizations(PeerToken, DashPassword) });
        var gateway = await environment.AddGatewayAsync(o => o with
        {
            Tls = new TlsOptions { CertFile = pki.CertFile, KeyFile = pki.KeyFile, ReloadCheckInterval = TimeSpan.FromMilliseconds(200) },
            AdminAuth = new AdminAuthOptions { Token = adminToken, TokenSource = "test" },
        });
        var kubo = gateway.Host.KuboRpcUrl;
        var admin = gateway.Host.AdminUrl;
        Task<ToolResult> Curl(params string[] arguments) => ExternalTool.RunAsync(curl, ["-sS", "-v", "--cacert", pki.CaFile, "-o", "/dev/stdout", "-w", "\nstatus=%{http_code}", .. arguments]);

        var first = await Curl("-X", "POST", "-H", "Authorization: Bearer " + PeerToken, kubo + "api/v0/id");
        // The Kubo surface is HTTP/1.1 (its connection wrapper and stream ends assume one request at a time); a client
        // that offers h2 in ALPN is answered in HTTP/1.1.
        var offeredHttp2 = await Curl("--http2", "-X", "POST", "-H", "Authorization: Bearer " + PeerToken, kubo + "api/v0/id");
        var plain = await ExternalTool.RunAsync(curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", new UriBuilder(kubo) { Scheme = "http" }.Uri + "api/v0/id"]);
        var health = await Curl(admin + "health");
        var metricsWithout = await Curl(admin + "metrics");
        var metricsWith = await Curl("-H", "Authorization: Bearer " + adminToken, admin + "metrics");
        var readyWrong = await Curl("-H", "Authorization: Bearer nope", admin + "ready");

        await pki.IssueAsync("gw-two", pki.CertFile + ".new", pki.KeyFile + ".new");
        File.Move(pki.KeyFile + ".new", pki.KeyFile, overwrite: true);
        File.Move(pki.CertFile + ".new", pki.CertFile, overwrite: true);
        ToolResult rotated;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        do
        {
            await Task.Delay(200);
            rotated = await Curl("-X", "POST", "-H", "Authorization: Bearer " + PeerToken, kubo + "api/v0/version");
        }
        while (!rotated.Stderr.Contains("CN=gw-two", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Multiple(() =>
        {
            Assert.That(first.Stdout, Does.Contain(gateway.PeerId).And.EndWith("status=200"), first.ToString());
            Assert.That(first.Stderr, Does.Contain("CN=gw-one"));
            Assert.That(offeredHttp2.Stdout, Does.EndWith("status=200"), offeredHttp2.ToString());
            Assert.That(offeredHttp2.Stderr, Does.Contain("< HTTP/1.1 200").And.Not.Contain("< HTTP/2"), offeredHttp2.ToString());
            Assert.That(plain.ExitCode != 0 || plain.Stdout != "200", Is.True, "plain HTTP on a TLS listener: " + plain);
            Assert.That(health.Stdout, Does.EndWith("status=200"), health.ToString());
            Assert.That(metricsWithout.Stdout, Does.EndWith("status=401"));
            Assert.That(metricsWith.Stdout, Does.Contain("gateway_").And.EndWith("status=200"));
            Assert.That(readyWrong.Stdout, Does.EndWith("status=401"));
            Assert.That(rotated.Stderr, Does.Contain("CN=gw-two"), "the rotated certificate was not served: " + rotated);
            Assert.That(rotated.Stdout, Does.EndWith("status=200"));
        });
    }

    /// <summary>A CA and server certificates for 127.0.0.1 made by openssl at test time.</summary>
    internal sealed class TestPki : IDisposable
    {
        private readonly string openssl;

        private TestPki(string folder, string openssl)
        {
            Folder = folder;
            this.openssl = openssl;
        }

        public string Folder { get; }

        public string CaFile => Path.Combine(Folder, "ca.pem");

        public string CertFile => Path.Combine(Folder, "tls.crt");

        public string KeyFile => Path.Combine(Folder, "tls.key");

        public static async Task<TestPki> CreateAsync()
        {
            var openssl = ExternalTool.Require("openssl", "openssl");
            var folder = Path.Combine(Path.GetTempPath(), "cg-pki-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            var pki = new TestPki(folder, openssl);
            await pki.RunAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(folder, "ca.key"),
                "-out", pki.CaFile, "-days", "1", "-subj", "/CN=composite-gateway test CA");
            File.WriteAllText(Path.Combine(folder, "san.cnf"), "subjectAltName=IP:127.0.0.1\n");
            return pki;
        }

        /// <summary>A certificate for 127.0.0.1 with common name <paramref name="name"/>, signed by the CA.</summary>
        public async Task IssueAsync(string name, string certFile, string keyFile)
        {
            var csr = Path.Combine(Folder, name + ".csr");
            await RunAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile, "-out", csr, "-subj", "/CN=" + name);
            await RunAsync("x509", "-req", "-in", csr, "-CA", CaFile, "-CAkey", Path.Combine(Folder, "ca.key"), "-CAcreateserial", "-out", certFile,
                "-days", "1", "-extfile", Path.Combine(Folder, "san.cnf"));
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);

        private async Task RunAsync(params string[] arguments)
        {
            var result = await ExternalTool.RunAsync(openssl, arguments, Folder);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("openssl " + string.Join(' ', arguments) + ": " + result);
            }
        }
    }
}
