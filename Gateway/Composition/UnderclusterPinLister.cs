using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// The full listing of one undercluster's pins that this gateway owns and that meet the "pinned" rule, streamed
/// in bounded memory. A failure before the first item or mid-way throws <see cref="GatewayFailureException"/>:
/// leaving pins out would tell the Go peer "not pinned" for pins the undercluster may hold.
/// </summary>
internal sealed class UnderclusterPinLister(Undercluster undercluster, PinPathOptions options, Ownership ownership, ILogger logger)
{
    /// <summary>Status batches of a listing requested ahead of the consumer (bounds memory to this many batches).</summary>
    internal const int ListBatchesInFlight = 4;

    private ClusterClient Client => undercluster.Client;

    private string Name => undercluster.Name;

    /// <summary>
    /// Owned pins that meet the rule, in bounded memory. Source choice (also in docs/design/pin-path.md):
    /// <c>GET /allocations?filter=pin</c> streamed, owned pins collected into batches of
    /// <see cref="PinPathOptions.PollBatchSize"/>, each batch's truth from one <c>GET /pins?cids=…</c>. Chosen over
    /// <c>GET /pins?filter=pinned</c> because: (1) <c>/allocations</c> streams from the shared state as it is
    /// read, while cluster-wide <c>/pins</c> answers only after every peer listed its whole IPFS pinset and the
    /// undercluster merged it all in memory (docs/protocol/cluster-rest.md §1.3, §5.8) — time to first byte grows with the pinset and eats
    /// the Go peer's 5-minute <c>ipfs_request_timeout</c> for the whole listing (docs/protocol/kubo-rpc-as-called-by-cluster.md
    /// §4.7); (2) status is asked only for pins this gateway owns, not for every other owner's pins in a shared
    /// undercluster; (3) <c>GlobalPinInfo</c> carries neither replication factors nor <c>max_depth</c>, which the
    /// rule and the Kubo type need, and recording them in our metadata would cost an extra re-pin of every pin
    /// created with the undercluster's default replication (docs/protocol/cluster-rest.md §5.7). The price: per-CID status makes the allocated
    /// peers answer one IPFS <c>pin/ls?arg</c> each per listed pin, instead of one full listing per peer.
    /// </summary>
    public async IAsyncEnumerable<PinnedItem> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Status requests of the next batches run while earlier ones are yielded: at most ListBatchesInFlight
        // batches exist at once, so memory stays bounded while the undercluster's latency is overlapped.
        using var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var allocations = Client.StreamAllocationsAsync("pin", listing.Token);
        var inFlight = new Queue<(List<ClusterPin> Batch, Task<BatchStatus> Status)>();
        var batch = new List<ClusterPin>(options.PollBatchSize);
        var limits = new CidBatch(options.PollBatchSize, options.PollBatchChars);
        long listed = 0;
        try
        {
            await foreach (var pin in allocations.WithCancellation(listing.Token))
            {
                if (pin.Cid is not { } cid || !ownership.IsOwner(pin.Metadata))
                {
                    continue;
                }

                if (limits.IsFullFor(cid))
                {
                    inFlight.Enqueue((batch, FetchBatchStatusAsync(batch, listing.Token)));
                    batch = new List<ClusterPin>(options.PollBatchSize);
                    limits.Clear();
                    while (inFlight.Count >= ListBatchesInFlight)
                    {
                        var (done, status) = inFlight.Dequeue();
                        foreach (var item in PinnedOf(done, await status, listed))
                        {
                            listed++;
                            yield return item;
                        }
                    }
                }

                batch.Add(pin);
                limits.Add(cid);
            }

            var completion = await allocations.Completion;
            if (!completion.IsSuccess)
            {
                throw ListFailure(GatewayFailure.From(completion.Failure), listed);
            }

            if (batch.Count > 0)
            {
                inFlight.Enqueue((batch, FetchBatchStatusAsync(batch, listing.Token)));
            }

            while (inFlight.Count > 0)
            {
                var (done, status) = inFlight.Dequeue();
                foreach (var item in PinnedOf(done, await status, listed))
                {
                    listed++;
                    yield return item;
                }
            }
        }
        finally
        {
            // A consumer that stops early (or a failure) must not leave status requests running.
            await listing.CancelAsync();
            foreach (var (_, status) in inFlight)
            {
                await ((Task)status).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<BatchStatus> FetchBatchStatusAsync(List<ClusterPin> batch, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, GlobalPinInfo>(batch.Count, StringComparer.Ordinal);
        var failure = await undercluster.FetchStatusAsync([.. batch.Select(p => p.Cid!)], s => statuses[s.Cid ?? ""] = s, cancellationToken);
        return new BatchStatus(statuses, failure);
    }

    /// <summary>The batch's pins that meet the rule, in pinset order; throws when the batch's truth is unknown.</summary>
    private IEnumerable<PinnedItem> PinnedOf(List<ClusterPin> batch, BatchStatus status, long listed)
    {
        if (status.Failure is { } failure)
        {
            throw ListFailure(failure, listed);
        }

        foreach (var pin in batch)
        {
            if (!status.ByCid.TryGetValue(pin.Cid!, out var info))
            {
                throw ListFailure(new GatewayFailure($"undercluster \"{Name}\" left {pin.Cid} out of its status answer", Transient: true), listed);
            }

            var verdict = PinnedRule.Evaluate(options.PinnedWhen, pin, info, Name);
            if (verdict.State == PinState.Undetermined)
            {
                // Leaving it out would tell the Go peer "not pinned" when we simply could not ask.
                throw ListFailure(new GatewayFailure(verdict.Problem!, Transient: true), listed);
            }

            if (verdict.State == PinState.Pinned)
            {
                yield return new PinnedItem(pin.Cid!, PinRewrite.ModeOf(pin), pin.Name);
            }
        }
    }

    private GatewayFailureException ListFailure(GatewayFailure failure, long listed)
    {
        CompositionLog.ListFailed(logger, Name, listed, failure.Message);
        return new GatewayFailureException(failure);
    }

    private sealed record BatchStatus(Dictionary<string, GlobalPinInfo> ByCid, GatewayFailure? Failure);
}
