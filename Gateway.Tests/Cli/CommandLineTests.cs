using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using CompositeGateway.Cli;
using CompositeGateway.Tests.Hosting;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Cli;

[UnsupportedOSPlatform("windows")]
public sealed class CommandLineTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task CheckConfig_BrokenFile_Exit2ListingEveryProblem()
    {
        var config = Write("broken.yaml", """
            listen: 127.0.0.1:99999
            admin_lisen: 127.0.0.1:9465
            underclusters:
              - name: Bad Name
                url: not-a-url
              - name: ok
                url: http://127.0.0.1:9094
                auth:
                  username: u
                  password: inline
            """);
        var run = await InvokeAsync(["check-config", "--config", config]);
        Assert.Multiple(() =>
        {
            Assert.That(run.Exit, Is.EqualTo(2));
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(run.Stderr.TrimEnd().Split('\n'), Is.EqualTo(new[]
            {
                $"error: {config}: 6 configuration problems:",
                "  listen (line 1): port \"99999\" must be a number from 1 to 65535 (0 lets the OS pick a free port)",
                "  admin_lisen (line 2): unknown key; did you mean \"admin_listen\"?",
                "  underclusters[0].name (line 4): \"Bad Name\" is not a valid name: use lowercase letters, digits, '-' and '_'",
                "  underclusters[0].url (line 5): must be an absolute http or https URL, e.g. http://127.0.0.1:9094",
                "  underclusters[1].auth (line 9): needs password_env (the name of an environment variable holding the password) or password_file (a file holding it)",
                "  underclusters[1].auth.password (line 10): " + CompositeGateway.Configuration.ConfigurationSchema.InlinePasswordMessage,
            }));
        });
    }

    [Test]
    public async Task CheckConfig_ValidFile_PrintsEffectiveConfigurationWithSecretsRedacted()
    {
        Write("pw", "file-secret");
        var config = Write("ok.yaml", """
            underclusters:
              - name: a
                url: http://127.0.0.1:9094
                auth:
                  username: admin
                  password_env: A_PW
              - name: b
                url: http://127.0.0.1:9095
                timeout: 90s
                auth:
                  username: admin
                  password_file: pw
            """);
        var run = await InvokeAsync(["check-config", "--config", config], new Dictionary<string, string>
        {
            ["A_PW"] = "env-secret",
            ["COMPOSITE_GATEWAY_SHUTDOWN_TIMEOUT"] = "1m30s",
        });
        Assert.Multiple(() =>
        {
            Assert.That(run.Exit, Is.Zero, run.Stderr);
            Assert.That(run.Stdout, Does.Not.Contain("secret"));
            Assert.That(run.Stdout.Split('\n')[1..].Select(l => l.TrimEnd()).Where(l => l.Length > 0), Is.EqualTo(new[]
            {
                "listen: \"127.0.0.1:5001\"",
                "admin_listen: \"127.0.0.1:9465\"",
                $"identity_file: \"{Path.Combine(folder, "identity.key")}\"  # does not exist yet: created on first run",
                "underclusters:",
                "  - name: \"a\"",
                "    url: \"http://127.0.0.1:9094/\"",
                "    timeout: 30s",
                "    auth:",
                "      mode: basic",
                "      username: \"admin\"",
                "      password: <from env A_PW>",
                "    replication_factor_min: 0",
                "    replication_factor_max: 0",
                "    weight: 1",
                "    tags: []",
                "    required: true",
                "    sole_gateway: false",
                "  - name: \"b\"",
                "    url: \"http://127.0.0.1:9095/\"",
                "    timeout: 1m30s",
                "    auth:",
                "      mode: basic",
                "      username: \"admin\"",
                $"      password: <from file {Path.Combine(folder, "pw")}>",
                "    replication_factor_min: 0",
                "    replication_factor_max: 0",
                "    weight: 1",
                "    tags: []",
                "    required: true",
                "    sole_gateway: false",
                "health:",
                "  probe_interval: 5s",
                "  ready_within: 15s",
                "pin_path:",
                "  pin_wait: pinned",
                "  pinned_when: \"min\"",
                "  wait_limit: 1h",
                "  poll_interval: 1s",
                "  poll_batch_size: 100",
                "  poll_batch_chars: 5000",
                "  unreachable_after: 30s",
                "  replication_min: 0",
                "  replication_max: 0",
                "  metadata_prefix: \"composite-gateway/\"",
                "  unpin_recheck_delay: 250ms",
                "  addresses_cache: 30s",
                "  max_addresses: 64",
                "kubo_rpc:",
                "  progress_interval: 500ms",
                "  forward:",
                "    commands: [\"cat\", \"get\", \"ls\", \"block/get\", \"block/stat\", \"dag/get\", \"dag/stat\", \"refs\", \"object/stat\", \"files/stat\"]",
                "  http_headers: {}",
                "  extract_headers_extra: []",
                "  extract_headers_ttl: 5m",
                "  authorizations: {}",
                "  unauthenticated_listen: []",
                "placement:",
                "  policy: replicate",
                "  quorum: 0",
                "  copies: 1",
                "  repo_stat_unreachable: leave-out",
                "telemetry:",
                "  service_name: \"composite-gateway\"",
                "  otlp:",
                "    protocol: grpc",
                "shutdown_timeout: 1m30s",
            }));
            Assert.That(File.Exists(Path.Combine(folder, "identity.key")), Is.False, "check-config must not create the key");
        });
    }

    [Test]
    public async Task CheckConfig_BundledGatewayYaml_Exit0()
    {
        var run = await InvokeAsync(["check-config", "--config", Path.Combine(RepositoryPaths.Root, "gateway.yaml")]);
        Assert.That(run.Exit, Is.Zero, run.Stderr);
        Assert.That(run.Stdout, Does.Contain("listen: \"127.0.0.1:5001\""));
    }

    [Test]
    public async Task Identity_RunTwice_PrintsSameNewPeerIdAndCreatesPrivateKeyFile()
    {
        var config = Write("gateway.yaml", "identity_file: keys/id.key\nunderclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n");
        var first = await InvokeAsync(["identity", "--config", config]);
        var second = await InvokeAsync(["identity", "-c", config]);
        Assert.Multiple(() =>
        {
            Assert.That(first.Exit, Is.Zero, first.Stderr);
            Assert.That(first.Stdout.Trim(), Does.Match("^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$"));
            Assert.That(first.Stderr, Does.Contain("created a new identity key in " + Path.Combine(folder, "keys", "id.key")));
            Assert.That(second.Stdout, Is.EqualTo(first.Stdout));
            Assert.That(second.Stderr, Is.Empty);
            Assert.That(File.GetUnixFileMode(Path.Combine(folder, "keys", "id.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        });
    }

    [Test]
    public async Task Identity_CorruptKeyFile_Exit2()
    {
        Write("identity.key", "garbage");
        var config = Write("gateway.yaml", "underclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n");
        var run = await InvokeAsync(["identity", "--config", config]);
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.StartWith($"error: identity file {Path.Combine(folder, "identity.key")} is not an identity key"));
    }

    [Test]
    public async Task Run_MissingConfigFile_Exit2()
    {
        var run = await InvokeAsync(["run", "--config", Path.Combine(folder, "absent.yaml")]);
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.Contain($"configuration file {Path.Combine(folder, "absent.yaml")} does not exist"));
    }

    [Test]
    public async Task Run_PortAlreadyTaken_Exit1()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var config = Write("gateway.yaml",
            $"listen: 127.0.0.1:{((IPEndPoint)blocker.LocalEndpoint).Port}\nadmin_listen: 127.0.0.1:0\nunderclusters:\n  - name: a\n    url: http://127.0.0.1:9094\n");
        var run = await InvokeAsync(["run", "--config", config, "--log-level", "error"]);
        Assert.That(run.Exit, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.StartWith("error: cannot listen: "));
    }

    [TestCase("--log-level", "loud")]
    [TestCase("--log-format", "xml")]
    [TestCase("--no-such-option", "x")]
    public async Task UsageError_Exit2(string option, string value)
    {
        var run = await InvokeAsync(["check-config", option, value]);
        Assert.That(run.Exit, Is.EqualTo(2));
    }

    [TestCase]
    [TestCase("run")]
    [TestCase("check-config")]
    [TestCase("identity")]
    [TestCase("version")]
    public async Task Help_EveryCommand_Exit0(params string[] command)
    {
        var run = await InvokeAsync([.. command, "--help"]);
        Assert.That(run.Exit, Is.Zero);
        Assert.That(run.Stdout, Does.Contain("Usage:").And.Contain("--log-format"));
    }

    [Test]
    public void Parse_NoCommand_RootActionIsRun()
    {
        var root = GatewayCommandLine.Create(new Dictionary<string, string>());
        var parse = root.Parse(["--config", "x.yaml", "--log-format", "json"]);
        Assert.Multiple(() =>
        {
            Assert.That(parse.Errors, Is.Empty);
            Assert.That(parse.CommandResult.Command, Is.SameAs(root));
            Assert.That(root.Action?.GetType(), Is.EqualTo(root.Subcommands.Single(c => c.Name == "run").Action?.GetType()));
        });
    }

    [TestCase]
    [TestCase("run")]
    public async Task Run_BundledGatewayYamlWithListenOverridden_ServesUntilCancelled(params string[] command)
    {
        // The bundled gateway.yaml as is, except the fixed ports: tests never bind fixed ports.
        var socket = Path.Combine(folder, "kubo.sock");
        var environment = new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_LISTEN"] = "unix:" + socket,
            ["COMPOSITE_GATEWAY_ADMIN_LISTEN"] = "127.0.0.1:0",
            ["COMPOSITE_GATEWAY_IDENTITY_FILE"] = Path.Combine(folder, "identity.key"),
        };
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        var running = GatewayCommandLine.InvokeAsync(
            [.. command, "--config", Path.Combine(RepositoryPaths.Root, "gateway.yaml"), "--log-level", "warning"],
            new InvocationConfiguration { Output = output, Error = error }, environment, stop.Token);

        for (var i = 0; i < 300 && !File.Exists(socket) && !running.IsCompleted; i++)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        Assert.That(File.Exists(socket), Is.True, $"the gateway did not start: {error}");
        using (var client = GatewayHostTests.UnixSocketClient(socket))
        {
            using var response = await client.PostAsync("http://gateway/api/v0/version", null);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"Version\""));
        }

        await stop.CancelAsync();
        Assert.That(await running, Is.Zero, error.ToString());
        Assert.That(File.Exists(Path.Combine(folder, "identity.key")), Is.True);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> InvokeAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await GatewayCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error }, environment ?? new Dictionary<string, string>());
        return (exit, output.ToString(), error.ToString());
    }
}
