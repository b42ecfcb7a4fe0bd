using System.CommandLine;
using System.Text.RegularExpressions;
using CompositeGateway.Cli;

namespace CompositeGateway.Tests.Lab;

public sealed partial class EmulateCommandTests
{
    [GeneratedRegex(@"^cluster (lab-\d) listening on (http://127\.0\.0\.1:\d+) \((\d+) peers\)$", RegexOptions.Multiline)]
    private static partial Regex ListeningLine();

    [Test]
    public async Task Emulate_TwoClustersOnPortZero_PrintsOneUrlLineEachAndServes()
    {
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        using var stop = new CancellationTokenSource();
        var run = GatewayCommandLine.Create()
            .Parse(["emulate", "--listen", "127.0.0.1:0", "--clusters", "2", "--peers", "4", "--pin-delay", "2s", "--capacity", "10GiB", "--seed-pins", "5"])
            .InvokeAsync(new InvocationConfiguration { Output = output }, stop.Token);

        MatchCollection lines = ListeningLine().Matches("");
        for (var i = 0; i < 200 && lines.Count < 2 && !run.IsCompleted; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            // The synchronized writer locks on itself; reading under the same lock is race-free.
            lock (output)
            {
                lines = ListeningLine().Matches(text.ToString());
            }
        }

        try
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(lines.Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "lab-0", "lab-1" }));
            Assert.That(lines.Select(m => m.Groups[3].Value), Is.All.EqualTo("4"));
            using var http = new HttpClient { BaseAddress = new Uri(lines[1].Groups[2].Value) };
            var state = await http.GetStringAsync("/_lab/state");
            Assert.That(state, Does.Contain("\"pins\":5"));
            Assert.That(state, Does.Contain("\"capacity\":10737418240"));
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.That(await run, Is.Zero);
    }

    [Test]
    public async Task Emulate_BadFlags_ReportsEveryProblemAndExits2()
    {
        var error = new StringWriter();
        var exit = await GatewayCommandLine.Create()
            .Parse(["emulate", "--listen", "nowhere", "--pin-delay", "soon", "--capacity", "lots", "--error-rate", "3"])
            .InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("--pin-delay").And.Contain("--capacity").And.Contain("listen").And.Contain("error_rate"));
    }
}
