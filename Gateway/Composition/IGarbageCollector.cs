namespace CompositeGateway.Composition;

/// <summary>
/// What <c>repo/gc</c> triggers behind the gateway (typically the underclusters' <c>POST /ipfs/gc</c>).
/// </summary>
internal interface IGarbageCollector
{
    /// <summary>
    /// Removed keys and per-key errors as they become known. A failure that prevents collecting at all
    /// (before the first item, or mid-way) ends the report with its <see cref="Listing{T}.Failure"/>.
    /// </summary>
    Listing<GarbageCollectedItem> CollectAsync(CancellationToken cancellationToken);
}

/// <summary>One line of the GC report: a removed CID (canonical string), or an error.</summary>
internal sealed record GarbageCollectedItem
{
    public string? Cid { get; private init; }
    public string? Error { get; private init; }

    public static GarbageCollectedItem Removed(string cid) => new() { Cid = cid };

    public static GarbageCollectedItem Failed(string error) => new() { Error = error };
}
