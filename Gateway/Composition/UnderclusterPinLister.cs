using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>
/// The full listing of one undercluster's pins that this gateway owns and that meet the "pinned" rule, streamed
/// in bounded memory. A failure before the first item or mid-way ends the listing with its <see cref="Listing{T}.Failure"/>:
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
    /// rule and the Kubo type need: the shape key records them on pins a gateway writes, but pins written before it
    /// would each need a second read (docs/design/ownership.md). The price: per-CID status makes the allocated
    /// peers answer one IPFS <c>pin/ls?arg</c> each per listed pin, instead of one full listing per peer.
    /// </summary>
    public Listing<PinnedItem> ListAsync(CancellationToken cancellationToken) => new(listing => ProduceAsync(listing, cancellationToken));

    private async IAsyncEnumerable<PinnedItem> ProduceAsync(Listing<PinnedItem> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long listed = 0;
        await foreach (var (pinned, failure) in JudgedBatchesAsync(cancellationToken))
        {
            foreach (var item in pinned)
            {
                listed++;
                yield return item;
            }

            if (failure is not null)
            {
                listing.End(ListFailure(failure, listed));
                yield break;
            }
        }
    }

    /// <summary>
    /// The owned pins batch by batch, each judged by the rule: the pinned ones in pinset order, up to a pin whose
    /// truth is unknown, then why (the last batch). Status requests of the next batches run while earlier ones are
    /// yielded: at most <see cref="ListBatchesInFlight"/> batches exist at once, so memory stays bounded while the
    /// undercluster's latency is overlapped. The first batch holds one pin and is sent alone, and batches already
    /// answered are passed on at the next pinset line, so the first item waits neither for the queue to fill nor for
    /// larger batches sharing the undercluster: the Go peer's first line comes about one status request after the
    /// pinset's first owned line.
    /// </summary>
    private async IAsyncEnumerable<(List<PinnedItem> Pinned, GatewayFailure? Failure)> JudgedBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var allocations = Client.StreamAllocationsAsync("pin", ListingView.Pin, stop.Token);
        var inFlight = new Queue<(List<ClusterPin> Batch, Task<BatchStatus> Status)>();
        var batch = new List<ClusterPin>(options.PollBatchSize);
        var limits = new CidBatch(options.PollBatchSize, options.PollBatchChars);
        void Send()
        {
            inFlight.Enqueue((batch, FetchBatchStatusAsync(batch, stop.Token)));
            batch = new List<ClusterPin>(options.PollBatchSize);
            limits = new CidBatch(options.PollBatchSize, options.PollBatchChars);
        }

        try
        {
            // The first owned pin is asked about at once and alone, and no other batch is sent until it is answered:
            // larger batches sent beside it share the undercluster's cores with it, which delayed the first line by
            // ~8 ms of a ~11 ms wait on 2 cores (docs/development/performance.md, "First listed item (changed)").
            var limit = 1;
            var sentFirst = false;
            await foreach (var pin in allocations.WithCancellation(stop.Token))
            {
                if (pin.Cid is { } cid && ownership.IsOwner(pin.Metadata))
                {
                    if (limits.IsFullFor(cid))
                    {
                        Send();
                    }

                    batch.Add(pin);
                    limits.Add(cid);
                    if (!sentFirst)
                    {
                        sentFirst = true;
                        Send();
                    }
                }

                // Checked at every pinset line, not only when a batch is sent: reading a whole batch of the pinset
                // takes milliseconds, and an answered batch should not wait for it.
                while (inFlight.Count >= limit || (inFlight.Count > 0 && inFlight.Peek().Status.IsCompleted))
                {
                    var (done, status) = inFlight.Dequeue();
                    limit = ListBatchesInFlight;
                    yield return PinnedOf(done, await status);
                }
            }

            var completion = await allocations.Completion;
            if (!completion.IsSuccess)
            {
                yield return ([], GatewayFailure.From(completion.Failure));
                yield break;
            }

            if (batch.Count > 0)
            {
                Send();
            }

            while (inFlight.TryDequeue(out var next))
            {
                yield return PinnedOf(next.Batch, await next.Status);
            }
        }
        finally
        {
            // A consumer that stops early (or a failure) must not leave status requests running.
            await stop.CancelAsync();
            foreach (var (_, status) in inFlight)
            {
                await ((Task)status).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<BatchStatus> FetchBatchStatusAsync(List<ClusterPin> batch, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, GlobalPinInfo>(batch.Count, StringComparer.Ordinal);
        var failure = await undercluster.FetchStatusAsync([.. batch.Select(p => p.Cid!)], s => statuses[s.Cid ?? ""] = s, ListingView.Status, cancellationToken);
        return new BatchStatus(statuses, failure);
    }

    /// <summary>The batch's pins that meet the rule, in pinset order, up to the first whose truth is unknown; then why, or null.</summary>
    private (List<PinnedItem> Pinned, GatewayFailure? Failure) PinnedOf(List<ClusterPin> batch, BatchStatus status)
    {
        var pinned = new List<PinnedItem>();
        if (status.Failure is { } failure)
        {
            return (pinned, failure);
        }

        foreach (var pin in batch)
        {
            if (!status.ByCid.TryGetValue(pin.Cid!, out var info))
            {
                return (pinned, new GatewayFailure($"undercluster \"{Name}\" left {pin.Cid} out of its status answer", Transient: true));
            }

            var verdict = PinnedRule.Evaluate(options.PinnedWhen, pin, info, Name);
            if (verdict.State == PinState.Undetermined)
            {
                // Leaving it out would tell the Go peer "not pinned" when we simply could not ask.
                return (pinned, new GatewayFailure(verdict.Problem!, Transient: true));
            }

            if (verdict.State == PinState.Pinned)
            {
                pinned.Add(new PinnedItem(pin.Cid!, PinRewrite.ModeOf(pin), pin.Name));
            }
        }

        return (pinned, null);
    }

    private GatewayFailure ListFailure(GatewayFailure failure, long listed)
    {
        CompositionLog.ListFailed(logger, Name, listed, failure.Message);
        return failure;
    }

    private sealed record BatchStatus(Dictionary<string, GlobalPinInfo> ByCid, GatewayFailure? Failure);
}
