namespace CompositeGateway.Ipld;

/// <summary>
/// The only exception <see cref="Cid.Parse(string)"/> and <see cref="Cid.FromBytes"/> throw for
/// malformed input. Messages follow go-cid's wording (<c>invalid cid: …</c>) because Kubo RPC
/// clients see them verbatim.
/// </summary>
internal sealed class CidFormatException : IpldFormatException
{
    public CidFormatException(string message)
        : base(message)
    {
    }

    public CidFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
