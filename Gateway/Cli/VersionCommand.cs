using System.CommandLine;

namespace CompositeGateway.Cli;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the gateway's version.");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine($"composite-gateway {ProductInfo.Version}");
            return 0;
        });
        return command;
    }
}
