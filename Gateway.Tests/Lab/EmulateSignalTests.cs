using System.Diagnostics;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Lab;

/// <summary>The real <c>composite-gateway emulate</c> process stops cleanly on SIGTERM and Ctrl-C (SIGINT).</summary>
public sealed class EmulateSignalTests
{
    [TestCase("TERM")]
    [TestCase("INT")]
    public async Task Emulate_Signal_ExitsCleanlyWithinSeconds(string signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Ignore("POSIX signals only");
        }

        var dll = Path.Combine(RepositoryPaths.Root, "Gateway", "bin", "Release", "net10.0", "composite-gateway.dll");
        if (!File.Exists(dll))
        {
            Assert.Ignore("NOTICE: build the solution in Release first (" + dll + " missing)");
        }

        var start = new ProcessStartInfo("dotnet", [dll, "emulate", "--listen", "127.0.0.1:0", "--ipfs-listen", "127.0.0.1:0", "--clusters", "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (lines.Count(l => l.Contains("ipfs api on", StringComparison.Ordinal)) < 2
                && await process.StandardOutput.ReadLineAsync(ready.Token) is { } line)
            {
                lines.Add(line);
            }

            Assert.That(lines.Count(l => l.Contains("ipfs api on http://127.0.0.1:", StringComparison.Ordinal)), Is.EqualTo(2), string.Join('\n', lines));
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            var stopwatch = Stopwatch.StartNew();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(exit.Token);

            Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync());
            TestContext.Out.WriteLine($"SIG{signal}: exited in {stopwatch.ElapsedMilliseconds} ms");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
