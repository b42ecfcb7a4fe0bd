using CompositeGateway.Content;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>block/put</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12): a multipart stream of blocks, read one
/// part at a time; each block's CID is computed from its bytes as Kubo does (default CIDv1 raw sha2-256), the
/// block goes into one CAR import per healthy undercluster (<see cref="CarFanOut"/>), and a
/// <c>{"Key","Size"}</c> line is flushed per block. The answer ends cleanly only when every undercluster imported
/// every block (and, with <c>pin=true</c>, every block is pinned); a failure after the first line aborts the
/// connection, which the Go peer reads as a failed destination (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1).
/// </summary>
internal static class BlockPutCommand
{
    private const string DataArgument = "data";

    public static KuboCommand Definition { get; } = UploadRequests.BlockCommand(
        "block/put",
        [
            new KuboOption("cid-codec", KuboOptionKind.String),
            new KuboOption("mhtype", KuboOptionKind.String),
            new KuboOption("mhlen", KuboOptionKind.Int),
            new KuboOption("format", KuboOptionKind.String, "f"),
        ],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (!BlockPrefix.TryParseBlockPut(call.Text("cid-codec"), call.Text("mhtype"), call.Integer("mhlen", -1), call.Text("format"), out var prefix, out var invalid))
        {
            await call.FailAsync(KuboFailure.Normal(invalid));
            return;
        }

        if (await UploadRequests.OpenPartsAsync(call, DataArgument) is not { } parts)
        {
            return;
        }

        var failure = await PutAllAsync(call, parts, prefix);
        if (failure is not null)
        {
            await call.FailAsync(failure);
        }
    }

    // Returns the failure to answer (after every import was aborted), or null once the answer ended cleanly.
    private static async Task<KuboFailure?> PutAllAsync(KuboCall call, MultipartParts parts, BlockPrefix prefix)
    {
        var allowBig = call.Flag("allow-big-block", defaultValue: false);
        var limit = BlockPrefix.Limit(allowBig);
        var pin = call.Flag("pin", defaultValue: false);
        var token = call.Aborted;
        BlockPart? part;
        try
        {
            part = await parts.NextAsync(limit, token);
        }
        catch (UploadFormatException e)
        {
            return KuboFailure.Client(e.Message);
        }

        if (part is null)
        {
            return UploadRequests.ArgumentRequired(DataArgument);
        }

        var targets = call.Service<ContentTargets>().Choose(out var noTarget);
        if (noTarget is not null)
        {
            return KuboFailure.FromGateway(noTarget);
        }

        var pinned = pin ? new List<Cid>() : null;
        using var answer = new KuboStreamWriter(call.Http);
        await using (var car = CarFanOut.Start(targets, token))
        {
            try
            {
                while (part is { } block)
                {
                    if (Refuse(block, allowBig) is { } refused)
                    {
                        return refused;
                    }

                    if (prefix.Sum(block.Data.Span, out var hashError) is not { } cid)
                    {
                        return KuboFailure.Normal(hashError!);
                    }

                    await car.PutAsync(StoredAs(block.FileName, cid), block.Data, token);
                    var key = cid.ToString();
                    pinned?.Add(cid);
                    await answer.WriteValueAsync(new BlockStatOutput(key, block.Data.Length), KuboJsonContext.Wire.BlockStatOutput, token);
                    part = await parts.NextAsync(limit, token);
                }

                await car.CompleteAsync(token);
            }
            catch (GatewayFailureException e)
            {
                return KuboFailure.FromGateway(e.Failure);
            }
            catch (UploadFormatException e)
            {
                return KuboFailure.Client(e.Message);
            }
        }

        if (pinned is not null && await UploadRequests.PinAllAsync(call, pinned) is { } pinFailure)
        {
            return pinFailure;
        }

        // An empty-bodied success still needs its headers.
        await answer.StartAsync(token);
        return null;
    }

    private static KuboFailure? Refuse(BlockPart block, bool allowBig) =>
        block.IsDirectory ? KuboFailure.Normal("expected a file")
        : block.TooLarge ? KuboFailure.Normal(allowBig ? BlockPrefix.OverHardLimit : BlockPrefix.OverSoftLimit)
        : null;

    /// <summary>
    /// The CID the block is filed under in the CAR. Kubo answers with the CID made from the query's prefix, but a
    /// Go peer adding a CIDv0 DAG names each part by the CID its parents link to (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.12: filename = block CID, and
    /// the query says <c>cid-codec=dag-pb</c>, i.e. CIDv1). IPFS stores blocks by multihash, so either is right for
    /// a real undercluster; filing the block under the name its DAG uses keeps stores keyed by CID right too.
    /// </summary>
    private static Cid StoredAs(string? fileName, Cid computed) =>
        Cid.TryParse(fileName, out var named) && named.Multihash.Equals(computed.Multihash) ? named : computed;
}
