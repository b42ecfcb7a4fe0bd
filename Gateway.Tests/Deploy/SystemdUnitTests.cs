using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/systemd: <c>systemd-analyze verify</c> finds nothing to say about the unit, <c>systemd-analyze security
/// --offline=yes</c> rates its exposure at most 2.0, and systemd-sysusers / systemd-tmpfiles, run on a scratch
/// root, create the user and the two folders with the intended owners and modes.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class SystemdUnitTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "deploy", "systemd");
    private string scratch = null!;

    [SetUp]
    public void SetUp()
    {
        scratch = Path.Combine(Path.GetTempPath(), "cg-systemd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(scratch);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(scratch, recursive: true);

    [Test]
    public async Task Unit_SystemdAnalyzeVerify_NoFindings()
    {
        var analyze = ExternalTool.Require("systemd-analyze", "systemd");
        // verify insists that ExecStart= exists: point it at a stand-in, the rest of the unit unchanged.
        var program = Path.Combine(scratch, "composite-gateway");
        await File.WriteAllTextAsync(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var unit = Path.Combine(scratch, "composite-gateway.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(Path.Combine(Folder, "composite-gateway.service")))
            .Replace("/opt/composite-gateway/composite-gateway", program, StringComparison.Ordinal));

        var result = await ExternalTool.RunAsync(analyze, ["verify", "--man=no", unit]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout + result.Stderr, Is.Empty, "unknown keys and bad values are reported here");
    }

    [Test]
    public async Task Unit_SystemdAnalyzeSecurity_ExposureAtMost2()
    {
        var analyze = ExternalTool.Require("systemd-analyze", "systemd");
        var result = await ExternalTool.RunAsync(analyze, ["security", "--offline=yes", "--no-pager", Path.Combine(Folder, "composite-gateway.service")]);
        var match = Exposure().Match(result.Stdout);
        if (!match.Success && result.Stderr.Contains("offline", StringComparison.Ordinal))
        {
            Assert.Ignore("NOTICE: this systemd-analyze has no --offline (systemd < 250); exposure not measured: " + result.Stderr);
        }

        Assert.That(match.Success, Is.True, result.ToString());
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"systemd-analyze security --offline=yes composite-gateway.service: exposure {exposure}");
        Assert.That(exposure, Is.LessThanOrEqualTo(2.0));
    }

    [Test]
    public async Task SysusersAndTmpfiles_OnAScratchRoot_CreateUserAndPrivateFolders()
    {
        var sysusers = ExternalTool.Require("systemd-sysusers", "systemd");
        var tmpfiles = ExternalTool.Require("systemd-tmpfiles", "systemd");
        if (Environment.UserName != "root")
        {
            Assert.Ignore("NOTICE: systemd-tmpfiles sets owners, which needs root; sysusers/tmpfiles check skipped");
        }

        Directory.CreateDirectory(Path.Combine(scratch, "etc"));
        var users = await ExternalTool.RunAsync(sysusers, ["--root=" + scratch, Path.Combine(Folder, "composite-gateway.sysusers.conf")]);
        Assert.That(users.ExitCode, Is.Zero, users.ToString());
        var passwd = (await File.ReadAllLinesAsync(Path.Combine(scratch, "etc", "passwd"))).Single(l => l.StartsWith("composite-gateway:", StringComparison.Ordinal)).Split(':');
        Assert.That(passwd[5..], Is.EqualTo(new[] { "/var/lib/composite-gateway", "/usr/sbin/nologin" }));

        var folders = await ExternalTool.RunAsync(tmpfiles, ["--root=" + scratch, "--create", Path.Combine(Folder, "composite-gateway.tmpfiles.conf")]);
        Assert.That(folders.ExitCode, Is.Zero, folders.ToString());
        var state = new DirectoryInfo(Path.Combine(scratch, "var", "lib", "composite-gateway"));
        var config = new DirectoryInfo(Path.Combine(scratch, "etc", "composite-gateway"));
        Assert.Multiple(() =>
        {
            Assert.That(state.UnixFileMode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            Assert.That(config.UnixFileMode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute));
        });
    }

    [Test]
    public void Unit_KeepsTheKeyUnderVarLibAndRefusesToRestartOnConfigurationErrors()
    {
        var unit = File.ReadAllLines(Path.Combine(Folder, "composite-gateway.service"));
        Assert.That(unit, Does.Contain("Environment=COMPOSITE_GATEWAY_IDENTITY_FILE=/var/lib/composite-gateway/identity.key")
            .And.Contain("StateDirectory=composite-gateway")
            .And.Contain("ProtectSystem=strict")
            .And.Contain("User=composite-gateway")
            .And.Contain("RestartPreventExitStatus=2"));
        Assert.That(unit, Has.None.StartsWith("ReadWritePaths=/etc"), "the key no longer lives under /etc");
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
