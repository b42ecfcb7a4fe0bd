using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using CompositeGateway.KuboRpc.Commands;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// The commands the gateway answers, found the way go-ipfs-cmds' <c>parseRequest</c> does: the whole path names a
/// command, or all but its last segment does and that segment becomes the first argument
/// (<c>/api/v0/pin/add/&lt;cid&gt;</c>; the habit ipfsproxy also honours, docs/protocol/ipfs-proxy-prior-art.md §2). Kubo puts
/// that argument before the query's <c>arg</c> values; so does the gateway.
/// </summary>
internal static class KuboCommandTable
{
    private static readonly FrozenDictionary<string, KuboCommand> Commands = new[]
    {
        IdCommand.Definition,
        VersionInfoCommand.Definition,
        PinAddCommand.Definition,
        PinRmCommand.Definition,
        PinLsCommand.Definition,
        PinUpdateCommand.Definition,
        RepoStatCommand.Definition,
        RepoGcCommand.Definition,
        SwarmCommands.Peers,
        SwarmCommands.Connect,
        ConfigShowCommand.Definition,
        ResolveCommand.Definition,
        BlockPutCommand.Definition,
        DagPutCommand.Definition,
        AddCommand.Definition,
    }.ToFrozenDictionary(command => command.Path, StringComparer.Ordinal);

    public static IEnumerable<string> Paths => Commands.Keys;

    /// <summary>Finds the command for <paramref name="path"/>, the request path after <c>/api/v0/</c> (e.g. <c>pin/add/Qm…</c>).</summary>
    public static bool TryResolve(string path, [NotNullWhen(true)] out KuboCommand? command, out string? pathArgument)
    {
        pathArgument = null;
        if (Commands.TryGetValue(path, out command))
        {
            return true;
        }

        var slash = path.LastIndexOf('/');
        if (slash > 0 && Commands.TryGetValue(path[..slash], out command))
        {
            // An empty last segment (a trailing slash) is no argument.
            var segment = path[(slash + 1)..];
            pathArgument = segment.Length > 0 ? segment : null;
            return true;
        }

        command = null;
        return false;
    }
}
