namespace CompositeGateway.Tests.Configuration;

/// <summary><c>kubo_rpc.authorizations</c>, <c>kubo_rpc.unauthenticated_listen</c>, <c>admin_auth</c> and <c>tls</c> as the loader reads them.</summary>
public sealed class SecurityConfigurationTests
{
    private const string Minimal = """
        underclusters:
          - name: local
            url: http://127.0.0.1:9094

        """;

    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public void LoadText_AuthorizationsFromEnvAndFile_ResolvedToKuboHeaders()
    {
        files.Write("dash", "basic:dash:pa:ss\n");
        var result = files.Load(Minimal + """
            kubo_rpc:
              authorizations:
                overcluster-peer: { secret_env: GW_PEER_SECRET, allowed_paths: ["/api/v0"] }
                dashboard: { secret_file: dash, allowed_paths: ["/api/v0/pin/ls", "/api/v0/id"] }
              unauthenticated_listen: ["unix:/run/cg/kubo.sock", "127.0.0.1:5002", "[::1]:5003", "localhost:5004"]
            """, new Dictionary<string, string> { ["GW_PEER_SECRET"] = "bearer:t0ken" });

        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var authorizations = result.Options!.KuboRpc.Authorizations;
        Assert.Multiple(() =>
        {
            Assert.That(authorizations.Select(a => (a.Name, a.ExpectedHeader, a.SecretSource)), Is.EqualTo(new[]
            {
                ("overcluster-peer", "Bearer t0ken", "env GW_PEER_SECRET"),
                ("dashboard", "Basic " + Convert.ToBase64String("dash:pa:ss"u8.ToArray()), $"file {Path.Combine(files.Directory, "dash")}"),
            }));
            Assert.That(authorizations[1].AllowedPaths, Is.EqualTo(new[] { "/api/v0/pin/ls", "/api/v0/id" }));
            Assert.That(result.Options.KuboRpc.UnauthenticatedListen, Has.Count.EqualTo(4));
        });
    }

    [Test]
    public void LoadText_BadSecurityValues_EveryProblemNamedWithoutTheSecret()
    {
        var problems = files.Problems(Minimal + """
            kubo_rpc:
              authorizations:
                inline: { secret: "bearer:abc-inline-9", allowed_paths: ["/api/v0"] }
                odd: { secret_env: ODD, allowed_paths: ["/api/v0"] }
                twin: { secret_env: TWIN, allowed_paths: ["/pin/ls"] }
                twin2: { secret_env: TWIN, allowed_paths: ["/api/v0"] }
                dead: { secret_env: ODD2, allowed_paths: ["/api/v0/pin/ls", "/api/v0/pin%2Fls"] }
              unauthenticated_listen: ["0.0.0.0:5002"]
            admin_auth:
              token: hunter2
            tls:
              cert_file: nope.crt
            """, new Dictionary<string, string> { ["ODD"] = "digest:s3cr3t-value", ["TWIN"] = "bearer:tw1n-value", ["ODD2"] = "bearer:d3ad-value" });

        Assert.Multiple(() =>
        {
            Assert.That(problems, Has.Some.StartWith("kubo_rpc.authorizations.inline.secret (line 6): inline secrets are not allowed"));
            Assert.That(problems, Has.Some.StartWith("kubo_rpc.authorizations.odd.secret_env (line 7): the secret from env ODD must be Kubo's form"));
            Assert.That(problems, Has.Some.StartWith("kubo_rpc.authorizations.twin.allowed_paths (line 8): must list one or more path prefixes that start with /api/v0"));
            Assert.That(problems, Has.Some.StartWith("kubo_rpc.authorizations.twin2.secret_env (line 9): the same secret as kubo_rpc.authorizations.twin"));
            Assert.That(problems, Has.Some.StartWith("kubo_rpc.authorizations.dead.allowed_paths (line 10): \"/api/v0/pin%2Fls\" can never match a request"));
            Assert.That(problems, Has.Some.Contains("\"0.0.0.0:5002\" is reachable from other hosts"));
            Assert.That(problems, Has.Some.StartWith("admin_auth.token (line 13): inline secrets are not allowed"));
            Assert.That(problems, Has.Some.StartWith("tls.key_file (line 15): is required"));
            Assert.That(string.Join("\n", problems), Does.Not.Contain("s3cr3t").And.Not.Contain("hunter2").And.Not.Contain("tw1n").And.Not.Contain("abc-inline").And.Not.Contain("d3ad"));
        });
    }

    [Test]
    public void LoadText_UnauthenticatedListenOnListenAddress_Refused()
    {
        var problems = files.Problems(Minimal + "listen: 127.0.0.1:5001\nkubo_rpc:\n  unauthenticated_listen: [\"127.0.0.1:5001\"]\n");
        Assert.That(problems, Has.One.Contains("must differ from listen"));
    }

    [TestCase("/api/v0/pin/ls", "/api/v0/pin/ls", true)]
    [TestCase("/api/v0/pin/ls", "/api/v0/pin/ls/x", true)]
    [TestCase("/api/v0/pin/ls", "/api/v0/pin/lsx", false)]
    [TestCase("/api/v0/pin/ls", "/api/v0/pin/ls%2F..%2Fconfig", false)]
    [TestCase("/api/v0/pin/", "/api/v0/pin/add", true)]
    [TestCase("/api/v0", "/api/v0/config/replace", true)]
    [TestCase("/api/v0/pin", "/api/v0/PIN/add", false)]
    public void Covers_WholeSegmentsOnly(string prefix, string path, bool expected) =>
        Assert.That(CompositeGateway.Security.KuboAuthorizer.Covers(prefix, path), Is.EqualTo(expected));
}
