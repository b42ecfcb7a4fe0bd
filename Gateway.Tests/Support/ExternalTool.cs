using System.Diagnostics;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// Runs an offline checker installed from a Debian package (promtool, systemd-analyze, docker-compose, kubectl) and
/// captures its output. A missing tool ignores the calling test with a notice naming the package that
/// <c>deploy/setup-test-env.sh</c> installs, so a skipped check is never mistaken for a passed one.
/// </summary>
internal static class ExternalTool
{
    /// <summary>The tool's full path, or ignores the test when it is not installed.</summary>
    public static string Require(string name, string package)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/sbin"))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Ignore($"NOTICE: {name} missing (Debian package {package}); check skipped. Run deploy/setup-test-env.sh");
        return null!;
    }

    /// <summary>Runs <paramref name="tool"/> to its end; killed with its children after <paramref name="limit"/> (default 2 minutes).</summary>
    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(2));
        using var process = Process.Start(start) ?? throw new InvalidOperationException(tool + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}
