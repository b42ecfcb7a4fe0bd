using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

public sealed class GatewayConfigurationLoaderTests
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
    public void LoadText_MinimalFile_AppliesDefaults()
    {
        var result = files.Load(Minimal);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var options = result.Options!;
        Assert.Multiple(() =>
        {
            Assert.That(options.Listen, Is.EqualTo("127.0.0.1:5001"));
            Assert.That(options.AdminListen, Is.EqualTo("127.0.0.1:9465"));
            Assert.That(options.IdentityFile, Is.EqualTo(Path.Combine(files.Directory, "identity.key")));
            Assert.That(options.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.Health, Is.EqualTo(new HealthOptions { ProbeInterval = TimeSpan.FromSeconds(5), ReadyWithin = TimeSpan.FromSeconds(15) }));
            Assert.That(options.Underclusters, Has.Count.EqualTo(1));
            Assert.That(options.Underclusters[0].Name, Is.EqualTo("local"));
            Assert.That(options.Underclusters[0].Url, Is.EqualTo(new Uri("http://127.0.0.1:9094")));
            Assert.That(options.Underclusters[0].Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.Underclusters[0].Auth, Is.Null);
        });
    }

    [Test]
    public void LoadText_EveryKeySet_ReadsThemAll()
    {
        files.Write("secrets/b.pw", "file-secret\n");
        var result = files.Load("""
            listen: "unix:/run/cg/kubo.sock"
            admin_listen: "[::1]:0"
            identity_file: keys/id.key
            underclusters:
              - name: a
                url: https://cluster-a.example:9094/base/
                timeout: 1h30m
                auth:
                  username: alice
                  password_env: A_PASSWORD
              - name: b_2
                url: http://10.0.0.2:9094
                timeout: 250ms
                auth:
                  username: bob
                  password_file: secrets/b.pw
            health:
              probe_interval: 2s
              ready_within: 1m
            shutdown_timeout: 0s
            """, new Dictionary<string, string> { ["A_PASSWORD"] = "env-secret" });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var options = result.Options!;
        Assert.Multiple(() =>
        {
            Assert.That(options.Listen, Is.EqualTo("unix:/run/cg/kubo.sock"));
            Assert.That(options.AdminListen, Is.EqualTo("[::1]:0"));
            Assert.That(options.IdentityFile, Is.EqualTo(Path.Combine(files.Directory, "keys", "id.key")));
            Assert.That(options.Underclusters[0].Timeout, Is.EqualTo(TimeSpan.FromMinutes(90)));
            Assert.That(options.Underclusters[0].Auth, Is.EqualTo(new ClusterAuthOptions { Username = "alice", Password = "env-secret", PasswordSource = "env A_PASSWORD" }));
            Assert.That(options.Underclusters[1].Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.Underclusters[1].Auth, Is.EqualTo(new ClusterAuthOptions
            {
                Username = "bob",
                Password = "file-secret",
                PasswordSource = "file " + Path.Combine(files.Directory, "secrets", "b.pw"),
                PasswordFile = Path.Combine(files.Directory, "secrets", "b.pw"),
            }));
            Assert.That(options.Health.ProbeInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.Health.ReadyWithin, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.ShutdownTimeout, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void LoadFile_BundledGatewayYaml_IsValid()
    {
        var result = GatewayConfigurationLoader.LoadFile(Path.Combine(Support.RepositoryPaths.Root, "gateway.yaml"), new Dictionary<string, string>());
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.Multiple(() =>
        {
            Assert.That(result.Options!.Listen, Is.EqualTo("127.0.0.1:5001"));
            Assert.That(result.Options.AdminListen, Is.EqualTo("127.0.0.1:9465"));
            Assert.That(result.Options.IdentityFile, Is.EqualTo(Path.Combine(Support.RepositoryPaths.Root, "identity.key")));
            Assert.That(result.Options.ConfigFile, Is.EqualTo(Path.Combine(Support.RepositoryPaths.Root, "gateway.yaml")));
            Assert.That(result.Options.Underclusters.Select(u => (u.Name, u.Url.ToString())), Is.EqualTo(new[] { ("local", "http://127.0.0.1:9094/") }));
        });
    }

    [Test]
    public void LoadFile_BundledGatewayYaml_PinPathAndKuboRpcAreTheRecordDefaults()
    {
        var result = GatewayConfigurationLoader.LoadFile(Path.Combine(Support.RepositoryPaths.Root, "gateway.yaml"), new Dictionary<string, string>());
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.Multiple(() =>
        {
            Assert.That(result.Options!.PinPath, Is.EqualTo(new CompositeGateway.Configuration.PinPathOptions()));
            Assert.That(result.Options.KuboRpc, Is.EqualTo(new CompositeGateway.Configuration.KuboRpcOptions()));
        });
    }

    /// <summary>Without this, a key left out of (or commented in) the bundled file would pass the test above untested.</summary>
    [TestCase("pin_path")]
    [TestCase("kubo_rpc")]
    public void BundledGatewayYaml_Section_WritesEveryKey(string section)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Support.RepositoryPaths.Root, "gateway.yaml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)stream.Documents[0].RootNode;
        var written = ((YamlDotNet.RepresentationModel.YamlMappingNode)root.Children[section]).Children.Keys.Select(k => k.ToString());
        Assert.That(written, Is.EqualTo(ConfigurationSchema.Root.Keys[section].Keys.Keys));
    }

    [Test]
    public void ConfigurationReference_DocumentsEveryKey()
    {
        // Each row: | `path` | default | meaning | environment override |
        var rows = File.ReadAllLines(Path.Combine(Support.RepositoryPaths.Root, "docs", "configuration.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split(" | "))
            .ToDictionary(cells => cells[0].Trim('|', ' ', '`'), cells => (Default: cells[1], Environment: cells[^1].TrimEnd('|', ' ')));
        var keys = ConfigurationKeys.Leaves(ConfigurationKeys.Root).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(k => k.DocumentedPath).Where(k => !rows.ContainsKey(k)), Is.Empty, "keys missing from docs/configuration.md");
            foreach (var key in keys.Where(k => rows.ContainsKey(k.DocumentedPath)))
            {
                var (documented, environment) = rows[key.DocumentedPath];
                Assert.That(documented, key.Default is { } value ? Is.EqualTo($"`{key.Kind.Plain(value)}`") : Does.StartWith("—"), $"default of {key.Path}");
                Assert.That(environment, key.EnvironmentVariable is { } variable ? Does.StartWith($"`{variable}`") : Does.StartWith("—"), $"environment variable of {key.Path}");
            }
        });
    }

    [Test]
    public void LoadFile_Missing_ReportsPath()
    {
        var path = Path.Combine(files.Directory, "nope.yaml");
        var result = GatewayConfigurationLoader.LoadFile(path, new Dictionary<string, string>());
        Assert.That(result.Problems.Select(p => p.ToString()), Is.EqualTo(new[] { $"configuration file {path} does not exist" }));
    }

    [Test]
    public void LoadText_UnknownKey_SuggestsClosest()
    {
        Assert.That(files.Problems(Minimal + "\nadmin_lisen: 127.0.0.1:1\n"), Is.EqualTo(new[]
        {
            "admin_lisen (line 4): unknown key; did you mean \"admin_listen\"?",
        }));
    }

    [Test]
    public void LoadText_UnknownKeyFarFromAny_ListsKnownKeys()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: local
                url: http://127.0.0.1:9094
                zzzzzz: 3
            """), Is.EqualTo(new[] { "underclusters[0].zzzzzz (line 4): unknown key; known keys here: name, url, timeout, auth, tls, replication_factor_min, replication_factor_max, weight, tags, required, sole_gateway, ipfs_api" }));
    }

    [Test]
    public void LoadText_UnknownKeysAtEveryLevel_AllReported()
    {
        Assert.That(files.Problems("""
            listne: 127.0.0.1:1
            underclusters:
              - name: local
                ulr: http://127.0.0.1:9094
                auth:
                  usernme: x
                  password_env: HOME
            health:
              probe_intervall: 1s
            """, new Dictionary<string, string> { ["HOME"] = "/root" }), Is.EqualTo(new[]
        {
            "listne (line 1): unknown key; did you mean \"listen\"?",
            "underclusters[0].url (line 3): is required",
            "underclusters[0].ulr (line 4): unknown key; did you mean \"url\"?",
            "underclusters[0].auth.usernme (line 6): unknown key; did you mean \"username\"?",
            "underclusters[0].auth.username (line 6): is required",
            "health.probe_intervall (line 9): unknown key; did you mean \"probe_interval\"?",
        }));
    }

    [Test]
    public void LoadText_InvalidYaml_ReportsLine()
    {
        var problems = files.Problems("listen: \"127.0.0.1:5001\n\nunderclusters: [\n");
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.StartWith("not valid YAML: "));
    }

    [Test]
    public void LoadText_DuplicateKey_ReportsLine()
    {
        Assert.That(files.Problems(Minimal + "\nlisten: 127.0.0.1:1\nlisten: 127.0.0.1:2\n"), Is.EqualTo(new[]
        {
            "duplicate key \"listen\": a key may appear only once in a mapping (line 5)",
        }));
    }

    [Test]
    public void LoadText_TwoDocuments_Rejected()
    {
        Assert.That(files.Problems(Minimal + "\n---\nlisten: 127.0.0.1:1\n"), Is.EqualTo(new[] { "the file must hold a single YAML document (line 5)" }));
    }

    [Test]
    public void LoadText_RootIsList_Rejected()
    {
        Assert.That(files.Problems("- a\n- b\n"), Is.EqualTo(new[]
        {
            "the file must be a YAML mapping of settings (listen, admin_listen, admin_auth, tls, identity_file, underclusters, health, pin_path, kubo_rpc, placement, telemetry, shutdown_timeout) (line 1)",
        }));
    }

    [Test]
    public void LoadText_EmptyFile_NeedsUndercluster()
    {
        Assert.That(files.Problems(""), Is.EqualTo(new[] { "underclusters: at least one undercluster is required: a list of entries with name and url" }));
    }

    [TestCase("underclusters: []", 1)]
    [TestCase("underclusters:", 1)]
    public void LoadText_EmptyUnderclusters_Rejected(string yaml, int line)
    {
        Assert.That(files.Problems(yaml), Is.EqualTo(new[] { $"underclusters (line {line}): at least one undercluster is required: a list of entries with name and url" }));
    }

    [Test]
    public void LoadText_UnderclustersNotAList_Rejected()
    {
        Assert.That(files.Problems("underclusters:\n  name: a\n"), Is.EqualTo(new[] { "underclusters (line 2): must be a list of entries with name and url" }));
    }

    [Test]
    public void LoadText_UnderclusterNotAMapping_Rejected()
    {
        Assert.That(files.Problems("underclusters:\n  - http://127.0.0.1:9094\n"), Is.EqualTo(new[]
        {
            "underclusters[0] (line 2): must be a mapping with at least name and url",
        }));
    }

    [Test]
    public void LoadText_MissingNameAndUrl_BothReportedAtItemLine()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
              - timeout: 5s
            """), Is.EqualTo(new[]
        {
            "underclusters[1].name (line 4): is required",
            "underclusters[1].url (line 4): is required",
        }));
    }

    [TestCase("Local")]
    [TestCase("my cluster")]
    [TestCase("a.b")]
    public void LoadText_InvalidName_Rejected(string name)
    {
        Assert.That(files.Problems($"underclusters:\n  - name: \"{name}\"\n    url: http://127.0.0.1:9094\n"), Is.EqualTo(new[]
        {
            $"underclusters[0].name (line 2): \"{name}\" is not a valid name: use lowercase letters, digits, '-' and '_'",
        }));
    }

    [Test]
    public void LoadText_DuplicateName_NamesFirstUse()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
              - name: a
                url: http://127.0.0.1:9095
            """), Is.EqualTo(new[] { "underclusters[1].name (line 4): duplicate name \"a\": already used by underclusters[0] (line 2)" }));
    }

    [Test]
    public void LoadText_DuplicateUrlAfterNormalisation_Rejected()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://LOCALHOST:80/api/
              - name: b
                url: http://localhost/api
            """), Is.EqualTo(new[] { "underclusters[1].url (line 5): same URL as underclusters[0] (line 3): http://localhost:80/api" }));
    }

    [Test]
    public void LoadText_DifferentPathsOnSameHost_Accepted()
    {
        var result = files.Load("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094/one
              - name: b
                url: http://127.0.0.1:9094/two
            """);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
    }

    [TestCase("127.0.0.1:9094")]
    [TestCase("ftp://127.0.0.1:9094")]
    [TestCase("/api")]
    [TestCase("http://")]
    public void LoadText_BadUrl_Rejected(string url)
    {
        Assert.That(files.Problems($"underclusters:\n  - name: a\n    url: \"{url}\"\n"), Is.EqualTo(new[]
        {
            "underclusters[0].url (line 3): must be an absolute http or https URL, e.g. http://127.0.0.1:9094",
        }));
    }

    [Test]
    public void LoadText_UrlWithCredentials_Rejected()
    {
        Assert.That(files.Problems("underclusters:\n  - name: a\n    url: http://u:p@127.0.0.1:9094\n"), Is.EqualTo(new[]
        {
            "underclusters[0].url (line 3): must not contain credentials: use auth with username and password_env or password_file",
        }));
    }

    [Test]
    public void LoadText_UrlWithQuery_Rejected()
    {
        Assert.That(files.Problems("underclusters:\n  - name: a\n    url: http://127.0.0.1:9094/?x=1\n"), Is.EqualTo(new[]
        {
            "underclusters[0].url (line 3): must not have a query (?…) or fragment (#…): it is the base URL of the cluster REST API",
        }));
    }

    [TestCase("5001", "\"5001\" has no port: use host:port with an IP address or localhost (e.g. 127.0.0.1:5001), or unix:/absolute/path")]
    [TestCase("example.com:5001", "host \"example.com\" must be an IP address (IPv6 in brackets, e.g. [::1]) or localhost; names are not resolved")]
    [TestCase("::1:5001", "host \"::1\" must be an IP address (IPv6 in brackets, e.g. [::1]) or localhost; names are not resolved")]
    [TestCase("127.0.0.1:65536", "port \"65536\" must be a number from 1 to 65535 (0 lets the OS pick a free port)")]
    [TestCase("127.0.0.1:-1", "port \"-1\" must be a number from 1 to 65535 (0 lets the OS pick a free port)")]
    [TestCase("127.0.0.1:http", "port \"http\" must be a number from 1 to 65535 (0 lets the OS pick a free port)")]
    [TestCase("unix:run/x.sock", "\"unix:run/x.sock\": the unix socket path must be absolute, e.g. unix:/run/composite-gateway.sock")]
    public void LoadText_BadListen_Rejected(string listen, string message)
    {
        Assert.That(files.Problems($"listen: \"{listen}\"\n" + Minimal), Is.EqualTo(new[] { $"listen (line 1): {message}" }));
    }

    [TestCase("localhost:5001")]
    [TestCase("0.0.0.0:5001")]
    [TestCase("[::]:5001")]
    [TestCase("127.0.0.1:0")]
    [TestCase("unix:/tmp/cg.sock")]
    public void LoadText_GoodListen_Accepted(string listen)
    {
        var result = files.Load($"listen: \"{listen}\"\n" + Minimal);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Listen, Is.EqualTo(listen));
    }

    [TestCase("127.0.0.1:7000", "127.0.0.1:7000")]
    [TestCase("0.0.0.0:7000", "127.0.0.1:7000")]
    [TestCase("localhost:7000", "127.0.0.1:7000")]
    [TestCase("unix:/tmp/a.sock", "unix:/tmp/a.sock")]
    public void LoadText_ListenersOverlap_Rejected(string listen, string admin)
    {
        Assert.That(files.Problems($"listen: \"{listen}\"\nadmin_listen: \"{admin}\"\n" + Minimal), Is.EqualTo(new[]
        {
            $"admin_listen (line 2): must differ from listen (\"{listen}\"): the Kubo RPC and admin listeners cannot share an address",
        }));
    }

    [Test]
    public void LoadText_ListenEqualsDefaultAdmin_BlamesListen()
    {
        Assert.That(files.Problems("listen: 127.0.0.1:9465\n" + Minimal), Is.EqualTo(new[]
        {
            "listen (line 1): must differ from admin_listen (\"127.0.0.1:9465\"): the Kubo RPC and admin listeners cannot share an address",
        }));
    }

    [Test]
    public void LoadText_BothListenersOnPortZero_Accepted()
    {
        var result = files.Load("listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\n" + Minimal);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
    }

    [TestCase("30", "\"30\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms")]
    [TestCase("5 minutes", "\"5 minutes\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms")]
    [TestCase("1d", "\"1d\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms")]
    [TestCase("0s", "\"0s\" must be greater than 0")]
    [TestCase("-5s", "\"-5s\" must be greater than 0")]
    public void LoadText_BadTimeout_Rejected(string timeout, string message)
    {
        Assert.That(files.Problems($"underclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n    timeout: \"{timeout}\"\n"), Is.EqualTo(new[]
        {
            $"underclusters[0].timeout (line 4): {message}",
        }));
    }

    [Test]
    public void LoadText_BadHealthDurations_AllReported()
    {
        Assert.That(files.Problems(Minimal + "\nhealth:\n  probe_interval: 0s\n  ready_within: soon\nshutdown_timeout: -1s\n"), Is.EqualTo(new[]
        {
            "health.probe_interval (line 5): \"0s\" must be greater than 0",
            "health.ready_within (line 6): \"soon\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms",
            "shutdown_timeout (line 7): \"-1s\" must not be negative",
        }));
    }

    [Test]
    public void LoadText_ReadyWithinShorterThanProbeInterval_Rejected()
    {
        Assert.That(files.Problems(Minimal + "\nhealth:\n  probe_interval: 10s\n  ready_within: 5s\n"), Is.EqualTo(new[]
        {
            "health.ready_within (line 6): health.ready_within (5s) must be at least health.probe_interval (10s), or an undercluster could never stay ready between probes",
        }));
    }

    [Test]
    public void LoadText_ProbeIntervalAboveDefaultReadyWithin_BlamesProbeInterval()
    {
        Assert.That(files.Problems(Minimal + "\nhealth:\n  probe_interval: 1m\n"), Is.EqualTo(new[]
        {
            "health.probe_interval (line 5): health.ready_within (15s) must be at least health.probe_interval (1m), or an undercluster could never stay ready between probes",
        }));
    }

    [Test]
    public void LoadText_EmptyHealthSection_UsesDefaults()
    {
        var result = files.Load(Minimal + "\nhealth:\n");
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Health, Is.EqualTo(new HealthOptions()));
    }

    [Test]
    public void LoadText_ValueIsAListOrEmpty_Rejected()
    {
        Assert.That(files.Problems("listen: [a, b]\nadmin_listen:\nidentity_file: ''\n" + Minimal), Is.EqualTo(new[]
        {
            "listen (line 1): must be a single value, not a list or mapping",
            "admin_listen (line 2): must not be empty",
            "identity_file (line 3): must not be empty",
        }));
    }

    [Test]
    public void LoadText_IdentityFileIsFolder_Rejected()
    {
        Directory.CreateDirectory(Path.Combine(files.Directory, "keys"));
        Assert.That(files.Problems("identity_file: keys\n" + Minimal), Is.EqualTo(new[]
        {
            $"identity_file (line 1): {Path.Combine(files.Directory, "keys")} is a folder; identity_file must name a file (it is created on first run)",
        }));
    }

    [Test]
    public void LoadText_InlinePassword_RejectedWithHowTo()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth:
                  username: admin
                  password: hunter2
            """), Is.EqualTo(new[]
        {
            "underclusters[0].auth (line 5): needs password_env (the name of an environment variable holding the password) or password_file (a file holding it)",
            "underclusters[0].auth.password (line 6): inline passwords are not allowed: put the secret in an environment variable and write password_env: VARIABLE_NAME, or in a file and write password_file: path/to/file (relative to this config file)",
        }));
    }

    [Test]
    public void LoadText_BothPasswordSources_Rejected()
    {
        files.Write("pw", "x");
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth:
                  username: admin
                  password_env: PW
                  password_file: pw
            """, new Dictionary<string, string> { ["PW"] = "x" }), Is.EqualTo(new[]
        {
            "underclusters[0].auth (line 5): set only one of password_env and password_file",
        }));
    }

    [Test]
    public void LoadText_PasswordEnvMissingOrEmpty_Reported()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth:
                  username: admin
                  password_env: CG_TEST_UNSET_PASSWORD
              - name: b
                url: http://127.0.0.1:9095
                auth:
                  username: admin
                  password_env: CG_TEST_EMPTY_PASSWORD
            """, new Dictionary<string, string> { ["CG_TEST_EMPTY_PASSWORD"] = "" }), Is.EqualTo(new[]
        {
            "underclusters[0].auth.password_env (line 6): environment variable CG_TEST_UNSET_PASSWORD is not set",
            "underclusters[1].auth.password_env (line 11): environment variable CG_TEST_EMPTY_PASSWORD is empty",
        }));
    }

    [Test]
    public void LoadText_PasswordFileMissingOrEmpty_Reported()
    {
        files.Write("empty.pw", "\n");
        Assert.That(files.Problems("""
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth:
                  username: admin
                  password_file: missing.pw
              - name: b
                url: http://127.0.0.1:9095
                auth:
                  username: admin
                  password_file: empty.pw
            """), Is.EqualTo(new[]
        {
            $"underclusters[0].auth.password_file (line 6): file {Path.Combine(files.Directory, "missing.pw")} does not exist",
            $"underclusters[1].auth.password_file (line 11): file {Path.Combine(files.Directory, "empty.pw")} is empty",
        }));
    }

    [Test]
    public void LoadText_AbsolutePasswordFile_ReadAsIs()
    {
        var path = files.Write("abs/secret", "s3cret\r\n");
        var result = files.Load($"underclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n    auth:\n      username: u\n      password_file: {path}\n");
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Underclusters[0].Auth!.Password, Is.EqualTo("s3cret"));
    }

    [Test]
    public void LoadText_AuthWithoutUsername_Rejected()
    {
        Assert.That(files.Problems("underclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n    auth:\n      password_env: HOME\n",
            new Dictionary<string, string> { ["HOME"] = "/root" }), Is.EqualTo(new[]
        {
            "underclusters[0].auth.username (line 5): is required",
        }));
    }

    [Test]
    public void LoadText_ManyProblems_AllReportedInFileOrder()
    {
        var problems = files.Problems("""
            listen: nowhere
            underclusters:
              - name: A
                url: ftp://x
                timeout: 3
            shutdown_timeout: forever
            """);
        Assert.That(problems, Is.EqualTo(new[]
        {
            "listen (line 1): \"nowhere\" has no port: use host:port with an IP address or localhost (e.g. 127.0.0.1:5001), or unix:/absolute/path",
            "underclusters[0].name (line 3): \"A\" is not a valid name: use lowercase letters, digits, '-' and '_'",
            "underclusters[0].url (line 4): must be an absolute http or https URL, e.g. http://127.0.0.1:9094",
            "underclusters[0].timeout (line 5): \"3\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms",
            "shutdown_timeout (line 6): \"forever\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms",
        }));
    }
}
