namespace CompositeGateway.Lab;

/// <summary>
/// IPFS paths of the <c>/pins/{ipfs|ipns|ipld}/…</c> routes (§5.5): validated like boxo's
/// <c>path.NewPath</c>, then "resolved by the contacted peer's daemon". The emulated daemon resolves
/// <c>/ipfs/&lt;cid&gt;</c> and <c>/ipld/&lt;cid&gt;</c> to the CID; deeper paths and IPNS names fail like a
/// daemon that cannot find the content (500).
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

    /// <summary>The CID a path points at, or the daemon's error text (500).</summary>
    public static (string? Cid, string? Error) Resolve(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments[0] is "ipfs" or "ipld" && segments.Length == 2)
        {
            LabCids.TryParse(segments[1], out var cid, out _);
            return (cid, null);
        }

        if (segments[0] == "ipns")
        {
            return (null, $"could not resolve name: {path}: the emulated daemon has no IPNS records");
        }

        return (null, $"no link named \"{segments[2]}\" under {segments[1]} (the emulated daemon only walks content added through /add)");
    }
}
