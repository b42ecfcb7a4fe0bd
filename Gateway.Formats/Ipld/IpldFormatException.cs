namespace CompositeGateway.Ipld;

/// <summary>
/// Malformed IPLD bytes: dag-pb, UnixFS, CAR. The readers of this folder throw this type (or its
/// <see cref="CidFormatException"/> subtype) and nothing else for bad input.
/// </summary>
internal class IpldFormatException : FormatException
{
    public IpldFormatException(string message)
        : base(message)
    {
    }

    public IpldFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
