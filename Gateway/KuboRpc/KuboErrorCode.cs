namespace CompositeGateway.KuboRpc;

/// <summary>go-ipfs-cmds error classes (<c>error.go</c>): the <c>Code</c> of a Kubo error body.</summary>
internal enum KuboErrorCode
{
    Normal = 0,
    Client = 1,
    Implementation = 2,
    RateLimited = 3,
    Forbidden = 4,
}
