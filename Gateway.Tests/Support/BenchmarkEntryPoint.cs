using System.Net;
using CompositeGateway.Tests.Forwarding;

namespace CompositeGateway.Tests.Support;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is switched off in the project file): the test runner
/// never calls it, and run as <c>dotnet Gateway.Tests.dll bare-yarp-forwarder &lt;listen&gt; &lt;upstream&gt; &lt;admin&gt;</c> it
/// is the benchmarks' bare YARP forwarder (<see cref="BareYarpForwarder"/>), a process of its own whose CPU time can be
/// read apart from the test's.
/// </summary>
internal static class BenchmarkEntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [BareYarpForwarder.Command, var listen, var upstream, var admin])
        {
            await BareYarpForwarder.RunAsync(IPEndPoint.Parse(listen), new Uri(upstream), IPEndPoint.Parse(admin));
            return 0;
        }

        await Console.Error.WriteLineAsync($"usage: dotnet Gateway.Tests.dll {BareYarpForwarder.Command} <ip:port> <upstream url> <ip:port for allocations>");
        return 2;
    }
}
