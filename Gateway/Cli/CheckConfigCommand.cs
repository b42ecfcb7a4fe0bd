using System.CommandLine;
using CompositeGateway.Configuration;
using CompositeGateway.Identity;

namespace CompositeGateway.Cli;

/// <summary><c>check-config</c>: validate the configuration and print it as the gateway would use it, secrets redacted.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(IReadOnlyDictionary<string, string> environment)
    {
        var command = new Command("check-config", "Validate the configuration and print the effective settings (secrets redacted); exit 2 listing every problem.");
        var config = CommonOptions.Config();
        command.Options.Add(config);
        command.SetAction(parse =>
        {
            if (CommonOptions.LoadConfiguration(parse, config, environment) is not { } options)
            {
                return ExitCodes.Usage;
            }

            // Read the identity without creating it: checking must not change anything on disk.
            string note;
            if (File.Exists(options.IdentityFile))
            {
                var identity = IdentityKeyFile.Load(options.IdentityFile);
                if (!identity.Succeeded)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"error: {identity.Error}");
                    return ExitCodes.Usage;
                }

                foreach (var warning in identity.Warnings)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
                }

                note = $"peer ID {identity.Identity.PeerId}";
            }
            else
            {
                note = "does not exist yet: created on first run";
            }

            foreach (var warning in SecretFiles.Warnings(options))
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            }

            foreach (var undercluster in options.Underclusters.Where(u => u.Tls is { InsecureSkipVerify: true }))
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: undercluster {undercluster.Name}: tls.insecure_skip_verify accepts any server certificate");
            }

            EffectiveConfiguration.Write(options, parse.InvocationConfiguration.Output, note);
            return ExitCodes.Ok;
        });
        return command;
    }
}
