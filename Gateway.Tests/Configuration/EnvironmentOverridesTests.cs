namespace CompositeGateway.Tests.Configuration;

public sealed class EnvironmentOverridesTests
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
    public void Load_ScalarOverrides_ReplaceFileValues()
    {
        var result = files.Load("listen: 127.0.0.1:5001\n" + Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_LISTEN"] = "127.0.0.1:6001",
            ["COMPOSITE_GATEWAY_ADMIN_LISTEN"] = "unix:/tmp/admin.sock",
            ["COMPOSITE_GATEWAY_IDENTITY_FILE"] = "/var/lib/cg/id.key",
            ["COMPOSITE_GATEWAY_SHUTDOWN_TIMEOUT"] = "5s",
            ["COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVAL"] = "1s",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL"] = "http://10.1.1.1:9094",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_TIMEOUT"] = "2m",
            ["UNRELATED_VARIABLE"] = "ignored",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var options = result.Options!;
        Assert.Multiple(() =>
        {
            Assert.That(options.Listen, Is.EqualTo("127.0.0.1:6001"));
            Assert.That(options.AdminListen, Is.EqualTo("unix:/tmp/admin.sock"));
            Assert.That(options.IdentityFile, Is.EqualTo("/var/lib/cg/id.key"));
            Assert.That(options.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.Health.ProbeInterval, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.Underclusters[0].Name, Is.EqualTo("local"));
            Assert.That(options.Underclusters[0].Url, Is.EqualTo(new Uri("http://10.1.1.1:9094")));
            Assert.That(options.Underclusters[0].Timeout, Is.EqualTo(TimeSpan.FromMinutes(2)));
        });
    }

    [Test]
    public void Load_IndexPastEnd_AddsUndercluster()
    {
        var result = files.Load(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_1_NAME"] = "second",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_1_URL"] = "http://127.0.0.1:9095",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_1_AUTH_USERNAME"] = "admin",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_1_AUTH_PASSWORD_ENV"] = "SECOND_PW",
            ["SECOND_PW"] = "pw",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Underclusters[1], Is.EqualTo(new CompositeGateway.Configuration.UnderclusterOptions
        {
            Name = "second",
            Url = new Uri("http://127.0.0.1:9095"),
            Auth = new() { Username = "admin", Password = "pw", PasswordSource = "env SECOND_PW" },
        }));
    }

    [Test]
    public void Load_UnderclustersOnlyFromEnvironment_Accepted()
    {
        var result = files.Load("", new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_NAME"] = "only",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL"] = "http://127.0.0.1:9094",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Underclusters.Single().Name, Is.EqualTo("only"));
    }

    [Test]
    public void Load_InvalidOverride_NamesTheVariable()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_LISTEN"] = "nowhere",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_TIMEOUT"] = "soon",
        }), Is.EqualTo(new[]
        {
            "listen (from COMPOSITE_GATEWAY_LISTEN): \"nowhere\" has no port: use host:port with an IP address or localhost (e.g. 127.0.0.1:5001), or unix:/absolute/path",
            "underclusters[0].timeout (from COMPOSITE_GATEWAY_UNDERCLUSTERS_0_TIMEOUT): \"soon\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms",
        }));
    }

    [Test]
    public void Load_GapInIndexes_ReportsMissingKeysOfGapItem()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_2_NAME"] = "third",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_2_URL"] = "http://127.0.0.1:9096",
        }), Is.EqualTo(new[]
        {
            "underclusters[1].name (from COMPOSITE_GATEWAY_UNDERCLUSTERS_2_NAME): is required",
            "underclusters[1].url (from COMPOSITE_GATEWAY_UNDERCLUSTERS_2_NAME): is required",
        }));
    }

    [Test]
    public void Load_UnknownOverride_SuggestsClosestVariable()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_LISTN"] = "127.0.0.1:1",
            ["COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVL"] = "1s",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_ULR"] = "http://x",
            ["COMPOSITE_GATEWAY_NOTHING_LIKE_IT"] = "x",
        }), Is.EqualTo(new[]
        {
            "COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVL: unknown setting; did you mean COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVAL?",
            "COMPOSITE_GATEWAY_LISTN: unknown setting; did you mean COMPOSITE_GATEWAY_LISTEN?",
            "COMPOSITE_GATEWAY_NOTHING_LIKE_IT: unknown setting; known names here: COMPOSITE_GATEWAY_LISTEN, COMPOSITE_GATEWAY_ADMIN_LISTEN, COMPOSITE_GATEWAY_ADMIN_AUTH, COMPOSITE_GATEWAY_TLS, COMPOSITE_GATEWAY_IDENTITY_FILE, COMPOSITE_GATEWAY_UNDERCLUSTERS, COMPOSITE_GATEWAY_HEALTH, COMPOSITE_GATEWAY_PIN_PATH, COMPOSITE_GATEWAY_KUBO_RPC, COMPOSITE_GATEWAY_PLACEMENT, COMPOSITE_GATEWAY_TELEMETRY, COMPOSITE_GATEWAY_SHUTDOWN_TIMEOUT",
            "COMPOSITE_GATEWAY_UNDERCLUSTERS_0_ULR: unknown setting; did you mean COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL?",
        }));
    }

    [Test]
    public void Load_OverrideOfSectionOrBadIndex_Rejected()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_HEALTH"] = "x",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS"] = "x",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_FIRST_URL"] = "x",
        }), Is.EqualTo(new[]
        {
            "health (from COMPOSITE_GATEWAY_HEALTH): is a section: override its keys one by one, e.g. COMPOSITE_GATEWAY_HEALTH_PROBE_INTERVAL",
            "underclusters (from COMPOSITE_GATEWAY_UNDERCLUSTERS): is a list: override its keys one by one, e.g. COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL",
            "COMPOSITE_GATEWAY_UNDERCLUSTERS_FIRST_URL: unknown setting; expected COMPOSITE_GATEWAY_UNDERCLUSTERS_<index>_<key>, e.g. COMPOSITE_GATEWAY_UNDERCLUSTERS_0_URL",
        }));
    }

    [Test]
    public void Load_InlinePasswordOverride_RejectedWithHowTo()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_USERNAME"] = "admin",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_PASSWORD"] = "hunter2",
        }), Is.EqualTo(new[]
        {
            "underclusters[0].auth.password (from COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_PASSWORD): inline passwords are not allowed: put the secret in an environment variable and write password_env: VARIABLE_NAME, or in a file and write password_file: path/to/file (relative to this config file)",
            "underclusters[0].auth (from COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_PASSWORD): needs password_env (the name of an environment variable holding the password) or password_file (a file holding it)",
        }));
    }

    [Test]
    public void Load_PasswordFileOverride_ResolvedAgainstConfigFolder()
    {
        files.Write("pw.txt", "secret");
        var result = files.Load(Minimal, new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_USERNAME"] = "admin",
            ["COMPOSITE_GATEWAY_UNDERCLUSTERS_0_AUTH_PASSWORD_FILE"] = "pw.txt",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Underclusters[0].Auth!.Password, Is.EqualTo("secret"));
    }
}
