namespace CompositeGateway.Lab;

/// <summary>ipfs-cluster's replication-factor rules (<c>cluster_config.go isReplicationFactorValid</c>; docs/protocol/cluster-rest.md §4).</summary>
internal static class ReplicationCheck
{
    /// <summary>The error text the cluster answers with (500), or null when valid.</summary>
    public static string? Validate(int min, int max)
    {
        if (min == 0 || max == 0)
        {
            return "cluster.replication_factor_min and max must be set";
        }

        if (min > max)
        {
            return "cluster.replication_factor_min is larger than max";
        }

        if (min < -1)
        {
            return "cluster.replication_factor_min is wrong";
        }

        if (max < -1)
        {
            return "cluster.replication_factor_max is wrong";
        }

        return (min == -1) != (max == -1) ? "cluster.replication_factor_min and max must be -1 when one of them is" : null;
    }
}

/// <summary>
/// Chooses the peers of a pin the way ipfs-cluster's <c>allocate.go</c> with the balanced allocator
/// does (docs/protocol/cluster-rest.md §5.7): current valid allocations count first; below the minimum, peers are added from the
/// user's priority list, then by most free space; peers without metrics (down, or full) are not candidates.
/// </summary>
internal static class LabAllocator
{
    /// <summary>Peer indexes in allocation order, or the cluster's error text.</summary>
    public static (IReadOnlyList<int>? Allocations, string? Error) Allocate(
        LabCluster cluster, int min, int max, AllocationSet? current, IReadOnlyList<string>? userAllocations)
    {
        if (min + max == 0)
        {
            return (null, $"bad replication factors: {min}/{max}");
        }

        if (min < 0 && max < 0)
        {
            return ([], null);
        }

        var valid = cluster.Peers.Where(cluster.HasMetrics).ToList();
        var currentValid = current is null ? [] : current.Indexes.Where(i => valid.Exists(p => p.Index == i)).ToList();
        var priority = valid
            .Where(p => userAllocations is not null && userAllocations.Contains(p.Id) && !currentValid.Contains(p.Index))
            .OrderByDescending(p => p.FreeBytes).ThenBy(p => p.Index).ToList();
        var candidates = valid
            .Where(p => !currentValid.Contains(p.Index) && !priority.Contains(p))
            .OrderByDescending(p => p.FreeBytes).ThenBy(p => p.Index).ToList();

        var needed = min - currentValid.Count;
        var wanted = max - currentValid.Count;
        if (wanted < 0)
        {
            return (currentValid[..(currentValid.Count + wanted)], null);
        }

        if (needed <= 0)
        {
            return (current?.Indexes ?? [], null);
        }

        var available = priority.Count + candidates.Count;
        if (available < needed)
        {
            // allocate.go allocationError: the numbers are relative to the valid current allocations.
            return (null, "not enough peers to allocate CID. " +
                $"Needed at least: {needed}. Wanted at most: {wanted}. Available candidates: {available}. See logs for more info.");
        }

        var chosen = priority.Concat(candidates).Take(Math.Min(wanted, available)).Select(p => p.Index);
        return ([.. currentValid, .. chosen], null);
    }
}
