namespace CompositeGateway.KuboRpc;

/// <summary>
/// The identity <c>id</c> reports. The Go peer requires <see cref="PeerId"/> to decode as a libp2p peer ID or it
/// never becomes ready (docs/protocol/kubo-rpc-as-called-by-cluster.md §2); <see cref="PublicKey"/> is informational.
/// </summary>
internal interface INodeIdentity
{
    /// <summary>Base58btc peer ID, e.g. <c>12D3KooW…</c>.</summary>
    string PeerId { get; }

    /// <summary>Base64 of the protobuf-encoded libp2p public key, as Kubo prints it.</summary>
    string PublicKey { get; }
}

/// <summary>A fixed <see cref="INodeIdentity"/>.</summary>
internal sealed record NodeIdentity(string PeerId, string PublicKey) : INodeIdentity;
