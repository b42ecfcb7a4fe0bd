namespace CompositeGateway.Clusters;

/// <summary>
/// The limits of one comma-separated CID list (<c>GET /pins?cids=a,b,c</c>, docs/protocol/cluster-rest.md §5.8): at most
/// <c>maxCount</c> CIDs and <c>maxChars</c> characters, commas included, so that each batch is one request line
/// under the undercluster's header limit. A CID longer than the limit still goes, alone. Streaming callers ask
/// <see cref="IsFullFor"/> before each <see cref="Add"/>; lists already in memory use <see cref="Split"/>.
/// </summary>
internal sealed class CidBatch(int maxCount, int maxChars)
{
    private int _count;
    private int _chars;

    /// <summary>CIDs in the current batch.</summary>
    public int Count => _count;

    /// <summary>True when the current batch is not empty and <paramref name="cid"/> would take it over a limit: send it first.</summary>
    public bool IsFullFor(string cid) => _count > 0 && (_count >= maxCount || _chars + 1 + cid.Length > maxChars);

    public void Add(string cid)
    {
        _chars += (_count > 0 ? 1 : 0) + cid.Length;
        _count++;
    }

    public void Clear()
    {
        _count = 0;
        _chars = 0;
    }

    /// <summary>Splits <paramref name="cids"/> into request-sized batches, in order.</summary>
    public static IEnumerable<IReadOnlyList<string>> Split(IEnumerable<string> cids, int maxCount, int maxChars)
    {
        var limits = new CidBatch(maxCount, maxChars);
        var batch = new List<string>();
        foreach (var cid in cids)
        {
            if (limits.IsFullFor(cid))
            {
                yield return batch;
                batch = [];
                limits.Clear();
            }

            batch.Add(cid);
            limits.Add(cid);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
