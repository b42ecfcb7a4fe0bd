using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Cli;

/// <summary>
/// The published program, run as a process as an operator runs it: a start-up failure is one clear line on
/// stderr and a non-zero exit, with no stack trace anywhere unless <c>--log-level debug</c> asks for it.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StartupFailureTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = Path.Combine(Path.GetTempPath(), "cg-startup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Run_PortInUse_OneLineExit1NoStackTrace()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var config = WriteConfig($"listen: 127.0.0.1:{port}\nadmin_listen: 127.0.0.1:0\n");

        var run = await RunAsync("run", "--config", config);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1));
            Assert.That(run.Stderr.TrimEnd().Split('\n'), Is.EqualTo(new[] { $"error: cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use." }));
            Assert.That(run.Stdout + run.Stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace at the default log level");
            Assert.That(run.Stdout.Length + run.Stderr.Length, Is.LessThan(600), run.ToString());
        });
    }

    [Test]
    public async Task Run_PortInUseAtDebugLevel_TraceIsShown()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var config = WriteConfig($"listen: 127.0.0.1:{((IPEndPoint)blocker.LocalEndpoint).Port}\nadmin_listen: 127.0.0.1:0\n");

        var run = await RunAsync("run", "--config", config, "--log-level", "debug");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.StartWith("error: cannot listen: ").And.Contain("   at "));
    }

    [Test]
    public async Task Run_UnreadableKey_OneLineExit2()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("NOTICE: needs root to run the gateway as another user, for whom the key is unreadable");
        }

        var config = WriteConfig("listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\n");
        Assert.That((await RunAsync("identity", "--config", config)).ExitCode, Is.Zero);
        var key = Path.Combine(folder, "identity.key");
        File.SetUnixFileMode(key, UnixFileMode.None);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(config, (UnixFileMode)0b110_100_100);

        var run = await RunToolAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", .. GatewayCommand("run", "--config", config)]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Stderr.TrimEnd().Split('\n'), Is.EqualTo(new[] { $"error: cannot read identity file {key}: Access to the path '{key}' is denied." }));
            Assert.That(run.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task Run_KeyFolderCannotBeCreated_OneLineExit2()
    {
        var config = WriteConfig("listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\nidentity_file: /proc/no-such-folder/identity.key\n");
        var run = await RunAsync("run", "--config", config);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1).And.One.StartsWith("error: cannot create identity file /proc/no-such-folder/identity.key: "));
            Assert.That(run.Stdout + run.Stderr, Does.Not.Contain("   at "));
        });
    }

    private string WriteConfig(string listeners)
    {
        var path = Path.Combine(folder, "gateway.yaml");
        File.WriteAllText(path, listeners + "underclusters:\n  - name: a\n    url: http://127.0.0.1:9\n");
        return path;
    }

    private static string[] GatewayCommand(params string[] arguments) =>
        [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "composite-gateway.dll"), .. arguments];

    private static Task<ToolResult> RunAsync(params string[] arguments)
    {
        var command = GatewayCommand(arguments);
        return ExternalTool.RunAsync(command[0], command[1..], Path.GetTempPath());
    }

    private static Task<ToolResult> RunToolAsync(string tool, string[] arguments) => ExternalTool.RunAsync(tool, arguments, Path.GetTempPath());
}
