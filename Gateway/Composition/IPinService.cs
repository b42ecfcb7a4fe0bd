using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary>
/// What the Kubo RPC surface asks of the composition layer about pins. The surface owns the
/// wire (query parsing, Kubo JSON, progress ticks, aborting streams); the composition layer
/// owns the truth (which undercluster, ownership, the "pinned" rule). CIDs cross this seam as
/// parsed <see cref="Cid"/>s (the surface parses each argument once); the composition layer must answer with
/// exactly the CID it was given, in its canonical text (the Go peer matches CIDs by bytes: docs/protocol/kubo-rpc-as-called-by-cluster.md §4.7).
/// </summary>
internal interface IPinService
{
    /// <summary><c>pin/ls?arg=</c>: is this CID pinned by this gateway's rule, and how.</summary>
    Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken);

    /// <summary>
    /// Full <c>pin/ls</c>: pins this gateway owns that meet the "pinned" rule, streamed in bounded
    /// memory. A failure before the first item or mid-way ends the listing with its <see cref="Listing{T}.Failure"/>
    /// so the surface can answer a Kubo error or abort the stream (never end it cleanly).
    /// </summary>
    Listing<PinnedItem> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// <c>pin/add</c>: records the pin (with this gateway's ownership) in the undercluster(s). A failure
    /// here is answered as a Kubo error before any 200. On success the returned wait completes when the
    /// pin is pinned by the rule (or at once in <c>pin_wait: accepted</c> mode), or fails.
    /// </summary>
    Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken);

    /// <summary><c>pin/rm</c>: removes this gateway's ownership; deletes the undercluster pin only when no owner remains.</summary>
    Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken);

    /// <summary><c>pin/update</c>: pins <paramref name="to"/> with the options of <paramref name="from"/>; keeps <paramref name="from"/> unless <paramref name="unpinFrom"/>.</summary>
    Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken);
}
