using System.CommandLine;
using CompositeGateway.Identity;

namespace CompositeGateway.Cli;

/// <summary><c>identity</c>: print the gateway's peer ID, creating the key on first use (as <c>run</c> would).</summary>
internal static class IdentityCommand
{
    public static Command Create(IReadOnlyDictionary<string, string> environment)
    {
        var command = new Command("identity", "Print the gateway's peer ID (creating identity_file if it does not exist).");
        var config = CommonOptions.Config();
        command.Options.Add(config);
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (CommonOptions.LoadConfiguration(parse, config, environment) is not { } options)
            {
                return ExitCodes.Usage;
            }

            var identity = IdentityKeyFile.LoadOrCreate(options.IdentityFile);
            if (!identity.Succeeded)
            {
                error.WriteLine($"error: {identity.Error}");
                return ExitCodes.Usage;
            }

            foreach (var warning in identity.Warnings)
            {
                error.WriteLine($"warning: {warning}");
            }

            if (identity.Created)
            {
                error.WriteLine($"created a new identity key in {options.IdentityFile}");
            }

            parse.InvocationConfiguration.Output.WriteLine(identity.Identity.PeerId.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }
}
