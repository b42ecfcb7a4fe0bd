using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>
/// What the Kubo RPC surface asks of the composition layer about pins. The surface owns the
/// wire (query parsing, Kubo JSON, progress ticks, aborting streams); the composition layer
/// owns the truth (which undercluster, ownership, the "pinned" rule). CIDs cross this seam as
/// canonical strings already validated by the surface; the composition layer must answer with
/// exactly the CID it was given (the Go peer matches CIDs by bytes: ipfs-rpc-as-called-by-cluster.md §4.7).
/// </summary>
internal interface IPinService
{
    /// <summary><c>pin/ls?arg=</c>: is this CID pinned by this gateway's rule, and how.</summary>
    Task<PinQueryResult> QueryAsync(string cid, CancellationToken cancellationToken);

    /// <summary>
    /// Full <c>pin/ls</c>: pins this gateway owns that meet the "pinned" rule, streamed in bounded
    /// memory. A failure before the first item or mid-way surfaces as <see cref="GatewayFailureException"/>
    /// so the surface can answer a Kubo error or abort the stream (never end it cleanly).
    /// </summary>
    IAsyncEnumerable<PinnedItem> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// <c>pin/add</c>: records the pin (with this gateway's ownership) in the undercluster(s). A failure
    /// here is answered as a Kubo error before any 200. On success the returned wait completes when the
    /// pin is pinned by the rule (or at once in <c>pin_wait: accepted</c> mode), or fails.
    /// </summary>
    Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken);

    /// <summary><c>pin/rm</c>: removes this gateway's ownership; deletes the undercluster pin only when no owner remains.</summary>
    Task<UnpinResult> UnpinAsync(string cid, CancellationToken cancellationToken);

    /// <summary><c>pin/update</c>: pins <paramref name="to"/> with the options of <paramref name="from"/>; keeps <paramref name="from"/> unless <paramref name="unpinFrom"/>.</summary>
    Task<PinStartResult> StartUpdateAsync(string from, string to, bool unpinFrom, CancellationToken cancellationToken);
}

/// <summary>A pin request as the overcluster peer sends it.</summary>
internal sealed record PinIntent(string Cid, PinMode Mode);

/// <summary>One item of the full listing.</summary>
internal sealed record PinnedItem(string Cid, PinMode Mode, string Name);

/// <summary>Answer to <see cref="IPinService.QueryAsync"/>: exactly one of pinned (with mode), not pinned, or failed.</summary>
internal sealed record PinQueryResult
{
    public PinMode? PinnedAs { get; private init; }
    public GatewayFailure? Failure { get; private init; }

    public static PinQueryResult Pinned(PinMode mode) => new() { PinnedAs = mode };
    public static PinQueryResult NotPinned { get; } = new();
    public static PinQueryResult Failed(GatewayFailure failure) => new() { Failure = failure };
}

/// <summary>Answer to starting a pin: a failure to answer before streaming, or a wait to stream progress for.</summary>
internal sealed record PinStartResult
{
    public IPinWait? Wait { get; private init; }
    public GatewayFailure? Failure { get; private init; }

    public static PinStartResult Started(IPinWait wait) => new() { Wait = wait };
    public static PinStartResult Failed(GatewayFailure failure) => new() { Failure = failure };
}

/// <summary>A pin being waited on. The surface emits strictly increasing Kubo <c>Progress</c> while it runs.</summary>
internal interface IPinWait
{
    /// <summary>Completes with null when pinned by the rule, or with the failure (pin_error, wait limit, undercluster lost).</summary>
    Task<GatewayFailure?> Completion { get; }

    /// <summary>Peers that report the pin pinned so far (informational; the surface's Progress must still rise every tick).</summary>
    int PinnedPeers { get; }
}

/// <summary>Answer to <see cref="IPinService.UnpinAsync"/>.</summary>
internal enum UnpinOutcome
{
    /// <summary>This gateway's ownership was removed (and the pin deleted if no owner remained).</summary>
    Unpinned,

    /// <summary>This gateway did not own the CID: Kubo's <c>not pinned or pinned indirectly</c>.</summary>
    NotPinned,

    Failed,
}

internal sealed record UnpinResult(UnpinOutcome Outcome, GatewayFailure? Failure = null);
