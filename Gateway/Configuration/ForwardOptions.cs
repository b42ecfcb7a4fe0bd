using System.Text.RegularExpressions;

namespace CompositeGateway.Configuration;

/// <summary>
/// <c>kubo_rpc.forward</c>: which Kubo RPC commands the gateway does not answer itself but hands to an undercluster's
/// IPFS daemon (<c>underclusters[].ipfs_api</c>). The default is read-only on purpose: <c>*</c> would also hand every
/// caller the daemon's <c>config/replace</c>, <c>key/rm</c> and <c>shutdown</c> (docs/forwarding.md).
/// </summary>
internal sealed partial record ForwardOptions
{
    /// <summary>The value of <see cref="Commands"/> that forwards every command the gateway does not answer.</summary>
    public const string Everything = "*";

    /// <summary>Read-only commands: they read blocks, DAGs and files, and change nothing on the daemon.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyCommands =
        ["cat", "get", "ls", "block/get", "block/stat", "dag/get", "dag/stat", "refs", "object/stat", "files/stat"];

    /// <summary><c>commands</c>: command paths as in <c>/api/v0/&lt;path&gt;</c> (e.g. <c>block/get</c>), or <c>*</c>.</summary>
    public IReadOnlyList<string> Commands { get; init; } = ReadOnlyCommands;

    public bool ForwardsEverything => Commands.Contains(Everything);

    /// <summary>
    /// The configured command that <paramref name="path"/> (after <c>/api/v0/</c>) calls: the whole path, or all but its
    /// last segment (go-ipfs-cmds takes that segment as the first argument, as the Kubo command table does).
    /// With <c>*</c>, the path itself. Null when the path is not forwarded.
    /// </summary>
    public string? Match(string path)
    {
        if (Commands.Contains(path, StringComparer.Ordinal))
        {
            return path;
        }

        var slash = path.LastIndexOf('/');
        if (slash > 0 && Commands.Contains(path[..slash], StringComparer.Ordinal))
        {
            return path[..slash];
        }

        return ForwardsEverything && CommandPattern().IsMatch(path) ? path : null;
    }

    public bool Equals(ForwardOptions? other) => other is not null && Commands.SequenceEqual(other.Commands, StringComparer.Ordinal);

    public override int GetHashCode() => Commands.Count;

    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        foreach (var command in Commands)
        {
            if (command != Everything && !CommandPattern().IsMatch(command))
            {
                problems.Add(new("commands", $"\"{command}\" is not a command path: write it as in /api/v0/<path>, e.g. cat or block/get (or \"*\" for everything)"));
            }
        }

        var duplicate = Commands.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            problems.Add(new("commands", $"\"{duplicate.Key}\" is listed twice"));
        }

        return problems;
    }

    // go-ipfs-cmds command names: lowercase words, digits and '-', joined by '/'.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")]
    private static partial Regex CommandPattern();
}
