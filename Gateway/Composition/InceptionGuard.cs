using CompositeGateway.Clusters;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Refuses pin operations and space reports while the health monitor has found an undercluster
/// whose IPFS daemon is this gateway (the inception topology): every pin would come back here
/// through that undercluster's peer and wait on itself. The refusal is a Kubo error the
/// overcluster peer shows as the pin's error; a failed repo/stat makes it publish no freespace
/// metric, so it stops allocating pins to this gateway at all (docs/protocol/kubo-rpc-as-called-by-cluster.md §6).
/// <para>
/// Until an undercluster's first probe has ended nobody knows whether it loops back, so a call waits for that
/// probe (at most <paramref name="firstProbeWait"/>, the probe's own bound) rather than letting a pin through
/// that would start the loop: the first seconds after a start are not a hole in the guard (docs/design/inception.md).
/// </para>
/// </summary>
internal sealed class InceptionGuard(IUnderclusterHealthView health, IReadOnlyList<string> underclusters, TimeSpan firstProbeWait)
{
    public async Task<GatewayFailure?> RefusalAsync(CancellationToken cancellationToken)
    {
        await WhenProbedAsync(cancellationToken);
        foreach (var name in underclusters)
        {
            if (health.TryGetRefusal(name, out var message))
            {
                return new GatewayFailure(message, Transient: false) { Kind = GatewayFailureKind.Refused, Underclusters = [name] };
            }
        }

        return null;
    }

    private Task WhenProbedAsync(CancellationToken cancellationToken)
    {
        var pending = underclusters.Select(name => health.WhenFirstProbedAsync(name, cancellationToken)).Where(t => !t.IsCompletedSuccessfully).ToList();
        return pending.Count == 0 ? Task.CompletedTask : WaitBoundedAsync(pending, cancellationToken);
    }

    private async Task WaitBoundedAsync(List<Task> pending, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(pending).WaitAsync(firstProbeWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A probe that outlives its own bound is the health monitor's failure to report, not a reason to hold
            // callers longer; the call goes on as it did before the guard waited at all.
        }
    }
}
