using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Refuses pin operations and space reports while the health monitor has found an undercluster
/// whose IPFS daemon is this gateway (the inception topology): every pin would come back here
/// through that undercluster's peer and wait on itself. The refusal is a Kubo error the
/// overcluster peer shows as the pin's error; a failed repo/stat makes it publish no freespace
/// metric, so it stops allocating pins to this gateway at all (ipfs-rpc-as-called-by-cluster.md §6).
/// </summary>
internal sealed class InceptionGuard(IUnderclusterHealthView health, IReadOnlyList<string> underclusters)
{
    public GatewayFailure? Refusal()
    {
        foreach (var name in underclusters)
        {
            if (health.TryGetRefusal(name, out var message))
            {
                return new GatewayFailure(message, Transient: false) { Kind = GatewayFailureKind.Refused, Underclusters = [name] };
            }
        }

        return null;
    }
}

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

/// <summary><see cref="ISpaceReporter"/> behind the <see cref="InceptionGuard"/>.</summary>
internal sealed class InceptionGuardedSpaceReporter(ISpaceReporter inner, InceptionGuard guard) : ISpaceReporter
{
    public Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken) =>
        guard.Refusal() is { } refusal ? Task.FromResult(SpaceReportResult.Failed(refusal)) : inner.GetSpaceAsync(cancellationToken);
}
