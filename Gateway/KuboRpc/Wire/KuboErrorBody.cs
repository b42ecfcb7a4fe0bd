namespace CompositeGateway.KuboRpc.Wire;

/// <summary>
/// go-ipfs-cmds error body <c>{"Message":"…","Code":0,"Type":"error"}</c>. The Go peer reads only
/// <c>Message</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1); <c>Code</c> is the go-ipfs-cmds error class.
/// </summary>
internal sealed record KuboErrorBody(string Message, int Code)
{
    public string Type => "error";
}
