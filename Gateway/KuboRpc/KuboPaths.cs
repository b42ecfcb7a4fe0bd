using System.Diagnostics.CodeAnalysis;
using CompositeGateway.Ipld;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Reads a CID argument the way Kubo's <c>cmdutils.PathOrCidPath</c> does (a path <c>/ipfs/&lt;cid&gt;</c> or
/// <c>/ipld/&lt;cid&gt;</c>, else a bare CID), with boxo's <c>invalid path "…": …</c> wording for garbage. The
/// gateway resolves nothing, so <c>/ipns/</c> names and sub-paths are refused with their own clear message.
/// </summary>
internal static class KuboPaths
{
    // Echoed arguments are cut so a hostile 8 KB argument does not come back whole in every error.
    private const int MaxEchoLength = 256;

    public static bool TryParseCid(string argument, [NotNullWhen(true)] out Cid? cid, [NotNullWhen(false)] out KuboFailure? failure)
    {
        failure = null;
        if (!argument.StartsWith('/'))
        {
            if (Cid.TryParse(argument, out cid))
            {
                return true;
            }

            failure = InvalidPath(argument, "path does not have enough components");
            return false;
        }

        cid = null;
        var segments = argument[1..].Split('/');
        if (segments.Length < 2 || segments[1].Length == 0)
        {
            failure = InvalidPath(argument, "path does not have enough components");
            return false;
        }

        switch (segments[0])
        {
            case "ipfs":
            case "ipld":
                if (!Cid.TryParse(segments[1], out cid, out var error))
                {
                    failure = InvalidPath(argument, error);
                    return false;
                }

                if (segments.Skip(2).Any(segment => segment.Length > 0))
                {
                    cid = null;
                    failure = KuboFailure.Normal($"the gateway does not resolve sub-paths; use the CID itself instead of \"{Echo(argument)}\"");
                    return false;
                }

                return true;
            case "ipns":
                failure = KuboFailure.Normal($"the gateway does not resolve /ipns names: \"{Echo(argument)}\"");
                return false;
            default:
                failure = InvalidPath(argument, "unknown namespace");
                return false;
        }
    }

    private static KuboFailure InvalidPath(string argument, string reason) =>
        KuboFailure.Normal($"invalid path \"{Echo(argument)}\": {reason}");

    private static string Echo(string argument) =>
        argument.Length <= MaxEchoLength ? argument : string.Concat(argument.AsSpan(0, MaxEchoLength), "…");
}
