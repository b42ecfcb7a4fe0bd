using System.CommandLine;

namespace CompositeGateway.Cli;

/// <summary>The command tree of <c>composite-gateway</c>: one line per command, each defined in its own file.</summary>
internal static class GatewayCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("CompositeGateway: an IPFS (Kubo RPC) face for ipfs-cluster deployments, so clusters compose into clusters of clusters.");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(EmulateCommand.Create());
        return root;
    }
}
