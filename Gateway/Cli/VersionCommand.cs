using System.CommandLine;
using System.Reflection;

namespace CompositeGateway.Cli;

internal static class VersionCommand
{
    public static string ProductVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static Command Create()
    {
        var command = new Command("version", "Print the gateway's version.");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine($"composite-gateway {ProductVersion}");
            return 0;
        });
        return command;
    }
}
