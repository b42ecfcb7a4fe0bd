namespace CompositeGateway.Lab;

/// <summary>
/// One simulated cluster peer together with its simulated IPFS daemon. Used bytes move with the
/// pins allocated to it; free space (capacity − used) is what its <c>freespace</c> metric reports.
/// </summary>
internal sealed class LabPeer
{
    private long _used;
    private long _daemonFree = -1;

    public LabPeer(int index, string clusterName, string id, string ipfsId, long capacity)
    {
        Index = index;
        Id = id;
        IpfsId = ipfsId;
        Name = $"{clusterName}-peer-{index}";
        Capacity = capacity;
        // Simulated ports only: nothing listens there. Loopback addresses are not "public", so
        // ipfs-cluster would leave them out of ipfs_peer_addresses (docs/protocol/cluster-rest.md §2.2).
        Addresses = [$"/ip4/127.0.0.1/tcp/{9096 + index}/p2p/{id}"];
        IpfsAddresses = [$"/ip4/127.0.0.1/tcp/{4001 + index}/p2p/{ipfsId}"];
    }

    /// <summary>Position in the cluster (bit in allocation masks).</summary>
    public int Index { get; }

    /// <summary>Cluster peer ID (<c>12D3KooW…</c>).</summary>
    public string Id { get; }

    /// <summary>Peer ID of its IPFS daemon (the real daemon's, from <c>id</c>, when the peer has an IPFS connector).</summary>
    public string IpfsId { get; private set; }

    public string Name { get; }

    public long Capacity { get; }

    public IReadOnlyList<string> Addresses { get; }

    public IReadOnlyList<string> IpfsAddresses { get; private set; }

    /// <summary>Bytes of pinned content on this peer.</summary>
    public long UsedBytes => Interlocked.Read(ref _used);

    /// <summary>Simulated free space, or what the daemon's <c>repo/stat</c> last reported when the peer has an IPFS connector (0: no valid metric).</summary>
    public long FreeBytes => Interlocked.Read(ref _daemonFree) is >= 0 and var reported ? reported : Capacity - UsedBytes;

    public void AddUsed(long bytes) => Interlocked.Add(ref _used, bytes);

    /// <summary>The daemon answered <c>id</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.1): its ID and addresses become this peer's <c>ipfs</c> facts.</summary>
    public void SetDaemonIdentity(string ipfsId, IReadOnlyList<string> addresses)
    {
        IpfsId = ipfsId;
        IpfsAddresses = addresses;
    }

    /// <summary>The disk informer's last figure (docs/protocol/kubo-rpc-as-called-by-cluster.md §6); 0 = no valid freespace metric.</summary>
    public void SetDaemonFreeSpace(long bytes) => Interlocked.Exchange(ref _daemonFree, Math.Max(bytes, 0));
}
