using CompositeGateway.Ipld;

namespace CompositeGateway.Composition;

/// <summary><see cref="IPinService"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedPinService(IPinService inner, InceptionGuard guard) : IPinService
{
    public Task<PinQueryResult> QueryAsync(Cid cid, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinQueryResult.Failed(refusal)) : inner.QueryAsync(cid, cancellationToken);

    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Listing<PinnedItem>.Failed(refusal) : inner.ListAsync(cancellationToken);

    public Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinStartResult.Failed(refusal)) : inner.StartPinAsync(intent, cancellationToken);

    public Task<UnpinResult> UnpinAsync(Cid cid, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(new UnpinResult(UnpinOutcome.Failed, refusal)) : inner.UnpinAsync(cid, cancellationToken);

    public Task<PinStartResult> StartUpdateAsync(Cid from, Cid to, bool unpinFrom, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinStartResult.Failed(refusal)) : inner.StartUpdateAsync(from, to, unpinFrom, cancellationToken);
}
