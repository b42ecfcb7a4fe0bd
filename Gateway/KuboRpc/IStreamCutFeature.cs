namespace CompositeGateway.KuboRpc;

/// <summary>
/// Ends an HTTP/1.1 answer whose 200 is out the one way a Go caller reads as a failure (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1):
/// no chunked terminator, then the connection closes — but only after everything written before has reached the
/// caller, so the caller sees a truncated stream ("unexpected EOF") and never a bare close or a lost value. Offered
/// by the Kubo listener's connections (Hosting/KestrelRejections.cs), which own the bytes on the wire; where it is
/// missing the connection can only be aborted, which drops what is still buffered.
/// </summary>
internal interface IStreamCutFeature
{
    /// <summary>
    /// Call once the response body has been flushed: nothing written afterwards reaches the caller (Kestrel's
    /// terminator included), no further request is read on the connection, and it closes once its output drained.
    /// </summary>
    void Cut();
}
