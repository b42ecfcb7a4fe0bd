using System.Runtime.CompilerServices;
using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary><see cref="IPinService"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedPinService(IPinService inner, InceptionGuard guard) : IPinService
{
    public async Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken) =>
        await guard.RefusalAsync(cancellationToken) is { } refusal ? PinQueryResult.Failed(refusal) : await inner.QueryAsync(cid, cancellationToken);

    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => new(listing => GuardedListAsync(listing, cancellationToken));

    public async Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken) =>
        await guard.RefusalAsync(cancellationToken) is { } refusal ? PinStartResult.Failed(refusal) : await inner.StartPinAsync(intent, cancellationToken);

    public async Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken) =>
        await guard.RefusalAsync(cancellationToken) is { } refusal ? new UnpinResult(UnpinOutcome.Failed, refusal) : await inner.UnpinAsync(cid, cancellationToken);

    public async Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken) =>
        await guard.RefusalAsync(cancellationToken) is { } refusal ? PinStartResult.Failed(refusal) : await inner.StartUpdateAsync(from, to, unpinFrom, cancellationToken);

    private async IAsyncEnumerable<PinnedItem> GuardedListAsync(Listing<PinnedItem> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await guard.RefusalAsync(cancellationToken) is { } refusal)
        {
            listing.End(refusal);
            yield break;
        }

        var items = inner.ListAsync(cancellationToken);
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            yield return item;
        }

        if (items.Failure is { } failure)
        {
            listing.End(failure);
        }
    }
}
