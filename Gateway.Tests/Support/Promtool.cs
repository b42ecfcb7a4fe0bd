using System.Diagnostics;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// Runs Prometheus' own checker, <c>promtool check metrics</c>, on an exposition: it parses the
/// text format and lints names (counters end in <c>_total</c>, base units, …). Installed by
/// <c>deploy/setup-test-env.sh</c>; without it the calling test is ignored with a visible notice.
/// </summary>
internal static class Promtool
{
    private const string Path = "/usr/bin/promtool";

    public static async Task<ToolResult> CheckMetricsAsync(string exposition, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            Assert.Ignore("NOTICE: promtool missing (" + Path + "), exposition check skipped; run deploy/setup-test-env.sh");
        }

        var start = new ProcessStartInfo(Path, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(exposition.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
