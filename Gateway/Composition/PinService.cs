using CompositeGateway.Configuration;
using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary>
/// The pin path the Kubo surface calls (README "The pin path", "Placement"). With one undercluster every call goes
/// straight to that undercluster's <see cref="UnderclusterPinService"/>, so the single-undercluster behaviour (and its
/// request count) is exactly what it always was; with several, <see cref="PlacedPinService"/> places and combines.
/// </summary>
internal sealed class PinService : IPinService
{
    private readonly IPinService _route;

    public PinService(Placement placement, PinPathOptions options, TimeProvider time, ILogger<PinService> logger)
    {
        var members = placement.Members;
        _route = members.Count == 1 ? members[0].Pins : new PlacedPinService(placement, options, time, logger);
        Ownership = members[0].Pins.Ownership;
    }

    /// <summary>The ownership keys this gateway writes (the same in every undercluster).</summary>
    internal Ownership Ownership { get; }

    public Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken) => _route.QueryAsync(cid, cancellationToken);

    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => _route.ListAsync(cancellationToken);

    public Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken) => _route.StartPinAsync(intent, cancellationToken);

    public Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken) => _route.UnpinAsync(cid, cancellationToken);

    public Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken) =>
        _route.StartUpdateAsync(from, to, unpinFrom, cancellationToken);
}
