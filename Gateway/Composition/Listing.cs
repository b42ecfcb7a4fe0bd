using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>
/// A streamed listing (the full <c>pin/ls</c>, the <c>repo/gc</c> report) whose end is a value: enumerate it once
/// with <c>await foreach</c>; a failure never throws, the enumeration just ends and <see cref="Failure"/> says why.
/// Consumers that forward items as they come must check <see cref="Failure"/> before treating the listing as
/// complete: a listing cut short by a failure must never look like a short, clean one (the Go peer would take the
/// missing pins as "not pinned").
/// <para>
/// Why this shape: it is the one <see cref="ClusterStream{T}"/> already has one layer down (items, then a
/// completion), so a failure keeps its kind from the undercluster call to the Kubo writer without an exception on
/// the way; items stay plain (no entry type with a failure case every consumer has to switch on); and an iterator
/// cannot return a value after it yielded, so the producer records the failure on the listing and stops.
/// </para>
/// </summary>
internal sealed class Listing<T> : IAsyncEnumerable<T>
{
    private readonly IAsyncEnumerable<T> _items;
    private GatewayFailure? _failure;

    /// <param name="producer">Makes the items' iterator; it calls <see cref="End"/> on the listing it is given before it stops early.</param>
    public Listing(Func<Listing<T>, IAsyncEnumerable<T>> producer) => _items = producer(this);

    /// <summary>Null when the listing ended cleanly (or has not ended yet); otherwise why it stopped.</summary>
    public GatewayFailure? Failure => Volatile.Read(ref _failure);

    /// <summary>A listing that fails before its first item.</summary>
    public static Listing<T> Failed(GatewayFailure failure) => new(listing => FailAsync(listing, failure));

    /// <summary>Records why the producer stops; the producer then ends its iterator (<c>yield break</c>).</summary>
    public void End(GatewayFailure failure) => Interlocked.CompareExchange(ref _failure, failure, null);

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => _items.GetAsyncEnumerator(cancellationToken);

    private static async IAsyncEnumerable<T> FailAsync(Listing<T> listing, GatewayFailure failure)
    {
        listing.End(failure);
        await Task.CompletedTask;
        yield break;
    }
}
