using System.Collections;
using System.CommandLine;
using System.CommandLine.Invocation;

namespace CompositeGateway.Cli;

/// <summary>The command tree of <c>composite-gateway</c>: one line per command, each defined in its own file.</summary>
internal static class GatewayCommandLine
{
    /// <param name="environment">Variables for <c>COMPOSITE_GATEWAY_*</c> overrides and <c>password_env</c>; the process environment when null.</param>
    public static RootCommand Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        environment ??= ProcessEnvironment();
        var root = new RootCommand("CompositeGateway: an IPFS (Kubo RPC) face for ipfs-cluster deployments, so clusters compose into clusters of clusters.");
        root.Options.Add(CommonOptions.CreateLogFormat());
        root.Options.Add(CommonOptions.CreateLogLevel());
        RunCommand.Attach(root, environment);
        root.Subcommands.Add(RunCommand.Create(environment));
        root.Subcommands.Add(CheckConfigCommand.Create(environment));
        root.Subcommands.Add(IdentityCommand.Create(environment));
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(EmulateCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        root.Subcommands.Add(TopologyCommand.Create(environment));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; command-line mistakes exit with <see cref="ExitCodes.Usage"/> rather than System.CommandLine's 1.</summary>
    public static async Task<int> InvokeAsync(
        string[] args,
        InvocationConfiguration? configuration = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var parse = Create(environment).Parse(args);
        var exit = await parse.InvokeAsync(configuration, cancellationToken);
        return parse.Action is ParseErrorAction ? ExitCodes.Usage : exit;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return variables;
    }
}
