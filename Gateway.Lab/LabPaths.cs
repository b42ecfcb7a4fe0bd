using CompositeGateway.Ipld;

namespace CompositeGateway.Lab;

/// <summary>
/// IPFS paths of the <c>/pins/{ipfs|ipns|ipld}/…</c> routes (docs/protocol/cluster-rest.md §5.5): validated like boxo's
/// <c>path.NewPath</c>, then "resolved by the contacted peer's daemon". The emulated daemon resolves
/// <c>/ipfs/&lt;cid&gt;</c> and <c>/ipld/&lt;cid&gt;</c> to the CID; deeper paths are walked through
/// content added with <c>/add</c>; anything else fails like a daemon that cannot find it (500).
/// </summary>
internal static class LabPaths
{
    /// <summary>The normalised path, or the 400 text (without the <c>error parsing path: </c> prefix).</summary>
    public static (string? Path, string? Error) Parse(string keyType, string rest)
    {
        var path = "/" + keyType + "/" + (rest.EndsWith('/') ? rest[..^1] : rest);
        var segments = path.Split('/');
        if (segments.Length < 3 || segments[2].Length == 0)
        {
            return (null, $"invalid path \"{path}\": path does not have enough components");
        }

        if (keyType is "ipfs" or "ipld" && !LabCids.TryParse(segments[2], out _, out var cidError))
        {
            return (null, $"invalid path \"{path}\": invalid cid: {cidError}");
        }

        return (path, null);
    }

    /// <summary>The CID a path points at, or the daemon's error text (500). Deeper paths are walked through blocks added with <c>/add</c>.</summary>
    public static (string? Cid, string? Error) Resolve(LabCluster cluster, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments[0] == "ipns")
        {
            return (null, $"could not resolve name: {path}: the emulated daemon has no IPNS records");
        }

        var root = Cid.Parse(segments[1]);
        if (segments.Length == 2)
        {
            return (root.ToString(), null);
        }

        var (cid, error) = cluster.Blocks.Resolve(root, segments[2..]);
        return (cid?.ToString(), error);
    }
}
