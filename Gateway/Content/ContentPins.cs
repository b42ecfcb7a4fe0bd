using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>How uploaded content (<c>add</c>, <c>block/put</c>, <c>dag/put</c>) is pinned once every undercluster holds it.</summary>
internal static class ContentPins
{
    /// <summary>
    /// Pins every CID recursively through the pin path (ownership, placement, the <c>pinned_when</c> rule) and
    /// waits until all are pinned; returns the first failure, or null.
    /// </summary>
    public static async Task<GatewayFailure?> PinAllAsync(IPinService pins, IReadOnlyList<Cid> cids, CancellationToken cancellationToken)
    {
        var waits = new List<IPinWait>(cids.Count);
        foreach (var cid in cids.Distinct())
        {
            var started = await pins.StartPinAsync(new PinIntent(cid, PinMode.Recursive), cancellationToken);
            if (started.Failure is { } refused)
            {
                return refused;
            }

            waits.Add(started.Wait!);
        }

        foreach (var wait in waits)
        {
            if (await wait.Completion.WaitAsync(cancellationToken) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }
}
