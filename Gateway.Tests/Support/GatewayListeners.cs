using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// The addresses a <c>composite-gateway run</c> process bound, read from its start-up lines as it writes them
/// (configured with port 0, it reports the ports it got).
/// </summary>
internal static partial class GatewayListeners
{
    /// <summary>Starts a gateway process with its stdout and stderr lines appended to <paramref name="log"/>, which <see cref="WaitAsync"/> reads.</summary>
    public static Process StartLogged(ProcessStartInfo start, StringBuilder log)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException(start.FileName + " did not start");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits up to 30 s for both lines in <paramref name="log"/> (appended to under its own lock by the process's output handlers).</summary>
    public static async Task<(Uri Kubo, Uri Admin)> WaitAsync(StringBuilder log)
    {
        for (var i = 0; i < 300; i++)
        {
            string text;
            lock (log)
            {
                text = log.ToString();
            }

            var kubo = KuboLine().Match(text);
            var admin = AdminLine().Match(text);
            if (kubo.Success && admin.Success)
            {
                return (new Uri($"http://{kubo.Groups[1].Value}/"), new Uri($"http://{admin.Groups[1].Value}/"));
            }

            await Task.Delay(100);
        }

        lock (log)
        {
            throw new TimeoutException("the gateway did not report its listeners:\n" + log);
        }
    }

    [GeneratedRegex(@"Kubo RPC API listening on (\S+)")]
    private static partial Regex KuboLine();

    [GeneratedRegex(@"Admin endpoints listening on (\S+)")]
    private static partial Regex AdminLine();
}
