using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary>Log events of the composition layer (event IDs 1400–1499), source-generated (docs/development/style.md §10).</summary>
internal static partial class CompositionLog
{
    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Created pin {Cid} in undercluster \"{Undercluster}\" (owner {Owner})")]
    public static partial void PinCreated(ILogger logger, Cid cid, string undercluster, string owner);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Joined existing pin {Cid} in undercluster \"{Undercluster}\" as owner {Owner}")]
    public static partial void PinJoined(ILogger logger, Cid cid, string undercluster, string owner);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Ownership of {Cid} in undercluster \"{Undercluster}\" was lost to a concurrent write; re-merging (attempt {Attempt})")]
    public static partial void OwnershipRepaired(ILogger logger, Cid cid, string undercluster, int attempt);

    [LoggerMessage(EventId = 1416, Level = LogLevel.Warning, Message = "After releasing {Cid} in undercluster \"{Undercluster}\", a concurrent write from an older read put this gateway's key back; releasing again (attempt {Attempt})")]
    public static partial void ReleaseUndone(ILogger logger, Cid cid, string undercluster, int attempt);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Information, Message = "Released ownership of {Cid} in undercluster \"{Undercluster}\"; {Others} other owner(s) remain, created by a gateway: {Created}")]
    public static partial void OwnershipReleased(ILogger logger, Cid cid, string undercluster, int others, bool created);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Information, Message = "Deleted pin {Cid} from undercluster \"{Undercluster}\": its last owner left")]
    public static partial void PinDeleted(ILogger logger, Cid cid, string undercluster);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Information, Message = "Pin {Cid} in undercluster \"{Undercluster}\" gained an owner while being deleted; kept")]
    public static partial void DeleteAverted(ILogger logger, Cid cid, string undercluster);

    [LoggerMessage(EventId = 1420, Level = LogLevel.Information, Message = "Pin {Cid} done in undercluster \"{Undercluster}\": {Outcome}")]
    public static partial void WaitEnded(ILogger logger, Cid cid, string undercluster, string outcome);

    [LoggerMessage(EventId = 1421, Level = LogLevel.Warning, Message = "Pin {Cid} vanished from undercluster \"{Undercluster}\" or lost this gateway's ownership while waited on; re-establishing")]
    public static partial void WaitReestablishing(ILogger logger, Cid cid, string undercluster);

    [LoggerMessage(EventId = 1422, Level = LogLevel.Warning, Message = "Could not re-establish pin {Cid} in undercluster \"{Undercluster}\" (retried at the next poll): {Error}")]
    public static partial void WaitReestablishFailed(ILogger logger, Cid cid, string undercluster, string error);

    [LoggerMessage(EventId = 1430, Level = LogLevel.Warning, Message = "Listing pins of undercluster \"{Undercluster}\" failed after {Listed} items: {Error}")]
    public static partial void ListFailed(ILogger logger, string undercluster, long listed, string error);

    [LoggerMessage(EventId = 1440, Level = LogLevel.Warning, Message = "Could not read the peers of undercluster \"{Undercluster}\" for swarm addresses: {Error}")]
    public static partial void AddressesFailed(ILogger logger, string undercluster, string error);

    [LoggerMessage(EventId = 1450, Level = LogLevel.Debug, Message = "Pin {Cid} placed in undercluster \"{Undercluster}\" (placement {Policy})")]
    public static partial void Placed(ILogger logger, Cid cid, string undercluster, string policy);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Warning, Message = "Pin {Cid}: undercluster \"{From}\" became unreachable while waited on; failing over to \"{To}\" ({Error})")]
    public static partial void FailingOver(ILogger logger, Cid cid, string from, string to, string error);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Warning, Message = "Full pin listing leaves out undercluster \"{Undercluster}\": it is down (health probe)")]
    public static partial void ListSkipped(ILogger logger, string undercluster);

    [LoggerMessage(EventId = 1453, Level = LogLevel.Warning, Message = "repo/stat leaves out undercluster \"{Undercluster}\": {Error}")]
    public static partial void SpaceLeftOut(ILogger logger, string undercluster, string error);

    [LoggerMessage(EventId = 1460, Level = LogLevel.Information, Message = "Pin {Cid} in undercluster \"{Undercluster}\" had failed ({Status} on {Peers} peer(s)); asked the undercluster to retry it")]
    public static partial void PinRetried(ILogger logger, Cid cid, string undercluster, string status, int peers);

    [LoggerMessage(EventId = 1461, Level = LogLevel.Warning, Message = "Could not ask undercluster \"{Undercluster}\" to retry failed pin {Cid} (the wait reports what the peers do): {Error}")]
    public static partial void PinRetryFailed(ILogger logger, Cid cid, string undercluster, string error);
}
