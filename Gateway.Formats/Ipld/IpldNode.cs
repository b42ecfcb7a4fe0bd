namespace CompositeGateway.Ipld;

/// <summary>
/// The IPLD data model (ipld.io/docs/data-model): what <see cref="DagJson"/> and <see cref="DagCbor"/> decode
/// to and encode from, so one codec's input can be stored as another's block.
/// </summary>
internal abstract record IpldNode
{
    /// <summary>Deepest nesting accepted when decoding, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 512;

    public static IpldNode Null { get; } = new IpldNull();
}

internal sealed record IpldNull : IpldNode;

internal sealed record IpldBool(bool Value) : IpldNode;

/// <summary>An integer in DAG-CBOR's range, −2⁶⁴ … 2⁶⁴ − 1.</summary>
internal sealed record IpldInteger(Int128 Value) : IpldNode
{
    public static readonly Int128 Min = -(Int128)ulong.MaxValue - 1;
    public static readonly Int128 Max = ulong.MaxValue;
}

internal sealed record IpldFloat(double Value) : IpldNode;

internal sealed record IpldString(string Value) : IpldNode;

internal sealed record IpldBytes(byte[] Value) : IpldNode;

internal sealed record IpldList(IReadOnlyList<IpldNode> Items) : IpldNode;

/// <summary>A map with string keys, in input order; encoders sort the keys as their codec requires.</summary>
internal sealed record IpldMap(IReadOnlyList<KeyValuePair<string, IpldNode>> Entries) : IpldNode
{
    /// <summary>DAG-CBOR's key order: shorter UTF-8 first, then bytewise (RFC 7049 canonical).</summary>
    public IEnumerable<(string Key, byte[] Utf8, IpldNode Value)> Sorted() =>
        Entries.Select(e => (e.Key, Utf8: System.Text.Encoding.UTF8.GetBytes(e.Key), e.Value))
            .OrderBy(e => e.Utf8.Length)
            .ThenBy(e => e.Utf8, ByteOrder.Instance);

    /// <summary>DAG-JSON's key order: bytewise on the UTF-8 form (go-ipld-prime's lexical sort, as @ipld/dag-json).</summary>
    public IEnumerable<(string Key, byte[] Utf8, IpldNode Value)> SortedBytewise() =>
        Entries.Select(e => (e.Key, Utf8: System.Text.Encoding.UTF8.GetBytes(e.Key), e.Value))
            .OrderBy(e => e.Utf8, ByteOrder.Instance);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

internal sealed record IpldLinkNode(Cid Cid) : IpldNode;
