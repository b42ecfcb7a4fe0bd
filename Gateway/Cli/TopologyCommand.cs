using System.CommandLine;
using CompositeGateway.Clusters;
using CompositeGateway.Identity;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Cli;

/// <summary>
/// <c>topology</c>: discover, from the configuration, the composition below this gateway and print it as text or
/// Mermaid (the same discovery as the admin <c>GET /topology</c>; docs/cli.md).
/// </summary>
internal static class TopologyCommand
{
    public static Command Create(IReadOnlyDictionary<string, string> environment)
    {
        var command = new Command("topology", "Discover the underclusters, their peers and which peers' IPFS daemons are gateways (loops marked); print as text or Mermaid.");
        var config = CommonOptions.Config();
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "mermaid");
        var depth = new Option<int>("--depth")
        {
            Description = "1: underclusters; 2: and their peers; 3: and each undercluster's ipfs_api daemon.",
            DefaultValueFactory = _ => TopologyDiscovery.MaxDepth,
        };
        depth.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > TopologyDiscovery.MaxDepth)
            {
                result.AddError($"--depth must be 1 to {TopologyDiscovery.MaxDepth}");
            }
        });
        var timeout = new Option<double>("--timeout")
        {
            Description = "Time budget of the whole discovery, in seconds.",
            DefaultValueFactory = _ => TopologyDiscovery.DefaultBudget.TotalSeconds,
        };
        command.Options.Add(config);
        command.Options.Add(format);
        command.Options.Add(depth);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (CommonOptions.LoadConfiguration(parse, config, environment) is not { } options)
            {
                return ExitCodes.Usage;
            }

            // Read the identity without creating it; without it a loop back to this gateway cannot be recognised.
            PeerId? self = null;
            if (File.Exists(options.IdentityFile) && IdentityKeyFile.Load(options.IdentityFile) is { Succeeded: true } identity)
            {
                self = identity.Identity.PeerId;
            }
            else
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: no readable identity at {options.IdentityFile}: loops back to this gateway cannot be recognised");
            }

            var services = new ServiceCollection();
            services.AddClusterClients(options);
            services.AddSingleton<UnderclusterProbe>();
            await using var provider = services.BuildServiceProvider();
            using var discovery = new TopologyDiscovery(
                options, provider.GetRequiredService<ClusterClientRegistry>(), provider.GetRequiredService<UnderclusterProbe>(), self, TimeProvider.System);
            var budget = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(timeout)));
            var report = await discovery.DiscoverAsync(parse.GetValue(depth), budget, cancellationToken);
            parse.InvocationConfiguration.Output.Write(
                parse.GetValue(format) == "mermaid" ? TopologyRenderer.Mermaid(report) : TopologyRenderer.Text(report));
            return ExitCodes.Ok;
        });
        return command;
    }
}
