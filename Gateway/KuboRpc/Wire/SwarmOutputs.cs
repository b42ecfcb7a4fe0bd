namespace CompositeGateway.KuboRpc.Wire;

/// <summary><c>swarm/peers</c> answer (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.11); every <c>Peer</c> must be a valid peer ID or the Go peer fails the call.</summary>
internal sealed record SwarmPeersOutput(IReadOnlyList<SwarmPeer> Peers);

internal sealed record SwarmPeer(string Peer, string Addr);

/// <summary>go-ipfs-cmds <c>stringList</c>: <c>{"Strings":[…]}</c> (answer of <c>swarm/connect</c>, docs/protocol/kubo-rpc-as-called-by-cluster.md §4.4).</summary>
internal sealed record StringsOutput(IReadOnlyList<string> Strings);
