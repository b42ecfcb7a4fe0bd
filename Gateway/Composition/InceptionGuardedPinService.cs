using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary><see cref="IPinService"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedPinService(IPinService inner, InceptionGuard guard) : IPinService
{
    public Task<PinQueryResult> QueryAsync(string cid, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinQueryResult.Failed(refusal)) : inner.QueryAsync(cid, cancellationToken);

    public async IAsyncEnumerable<PinnedItem> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (guard.Refusal() is { } refusal)
        {
            throw new GatewayFailureException(refusal);
        }

        await foreach (var item in inner.ListAsync(cancellationToken))
        {
            yield return item;
        }
    }

    public Task<PinStartResult> StartPinAsync(PinIntent intent, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinStartResult.Failed(refusal)) : inner.StartPinAsync(intent, cancellationToken);

    public Task<UnpinResult> UnpinAsync(string cid, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(new UnpinResult(UnpinOutcome.Failed, refusal)) : inner.UnpinAsync(cid, cancellationToken);

    public Task<PinStartResult> StartUpdateAsync(string from, string to, bool unpinFrom, CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(PinStartResult.Failed(refusal)) : inner.StartUpdateAsync(from, to, unpinFrom, cancellationToken);
}
