namespace CompositeGateway.Lab;

/// <summary>
/// One simulated cluster peer together with its simulated IPFS daemon. Used bytes move with the
/// pins allocated to it; free space (capacity − used) is what its <c>freespace</c> metric reports.
/// </summary>
internal sealed class LabPeer
{
    private long _used;

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

    /// <summary>Peer ID of its IPFS daemon.</summary>
    public string IpfsId { get; }

    public string Name { get; }

    public long Capacity { get; }

    public IReadOnlyList<string> Addresses { get; }

    public IReadOnlyList<string> IpfsAddresses { get; }

    /// <summary>Bytes of pinned content on this peer.</summary>
    public long UsedBytes => Interlocked.Read(ref _used);

    public long FreeBytes => Capacity - UsedBytes;

    public void AddUsed(long bytes) => Interlocked.Add(ref _used, bytes);
}
