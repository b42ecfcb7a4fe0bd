using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>
/// Blocks in, one CARv1 import per target undercluster out (<c>POST /add?format=car&amp;no-pin=true</c>,
/// docs/protocol/cluster-rest.md §5.13), all fed from the same writes through <see cref="UploadFanOut"/>.
/// An <see cref="IBlockSink"/>, so an importer (<see cref="UnixFsImporter"/>) or a <c>block/put</c> stream can
/// write straight into it. The CAR header needs exactly one root and goes first, before any block is known:
/// the header names the first block put (the cluster's CAR adder does not require the root to be present and,
/// with <c>no-pin</c>, pins nothing), so nothing is held back waiting for the real root. It names it as a CIDv1
/// <c>raw</c> of the same multihash: the adder reports on its root (a UnixFS size when it is dag-pb), and an
/// arbitrary block labelled dag-pb by the client (Kubo's <c>block/put</c> does not validate) must not fail it.
/// <para>
/// Usage: <see cref="Start"/>, <see cref="PutAsync"/> per block, then <see cref="CompleteAsync"/>, which returns
/// only when every target imported every block; dispose always (disposing before a successful completion aborts
/// every import). Failures throw <see cref="GatewayFailureException"/>.
/// </para>
/// </summary>
internal sealed class CarFanOut : IBlockSink, IAsyncDisposable
{
    private static readonly AddRequest CarImport = new() { Format = "car", NoPin = true };

    private readonly UploadFanOut _uploads;
    private readonly byte[] _head = new byte[Varint.MaxLength + Cid.MaxStringLength];
    private bool _headerWritten;

    private CarFanOut(UploadFanOut uploads) => _uploads = uploads;

    /// <summary>Number of blocks put so far.</summary>
    public long Blocks { get; private set; }

    /// <summary>Sum of the blocks' sizes put so far (without CAR framing).</summary>
    public long BlockBytes { get; private set; }

    /// <summary>The first block put: the CAR header's root. Null before any.</summary>
    public Cid? FirstCid { get; private set; }

    public IReadOnlyList<PlacementMember> Targets => _uploads.Targets;

    /// <summary>Starts one CAR import per target; the requests go out at once, their bodies follow the blocks.</summary>
    public static CarFanOut Start(IReadOnlyList<PlacementMember> targets, CancellationToken cancellationToken) =>
        new(UploadFanOut.Start(targets, ImportAsync, cancellationToken));

    /// <summary>Sends one block to every target; returns when every target has room for more.</summary>
    public async ValueTask PutAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (!_headerWritten)
        {
            FirstCid = cid;
            var header = CarHeader.Encode([Cid.V1(Multicodec.Raw, cid.Multihash)]);
            var prefix = new byte[Varint.MaxLength];
            var n = Varint.Write(prefix, (ulong)header.Length);
            _uploads.Write(prefix.AsSpan(0, n));
            _uploads.Write(header);
            _headerWritten = true;
        }

        // Section: varint(len(cid) + len(block)), cid bytes, block bytes (CARv1).
        var length = Varint.Write(_head, (ulong)(cid.ByteLength + block.Length));
        length += cid.WriteTo(_head.AsSpan(length));
        _uploads.Write(_head.AsSpan(0, length));
        await _uploads.WriteAsync(block, cancellationToken);
        Blocks++;
        BlockBytes += block.Length;
    }

    /// <summary>
    /// Ends the CAR and waits until every target has imported it; throws <see cref="GatewayFailureException"/> if
    /// any did not. A CAR without blocks is not sent as such (a CAR needs a root): every import is aborted instead.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            throw new InvalidOperationException("no block was put");
        }

        await _uploads.CompleteAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _uploads.DisposeAsync();

    private static async Task<GatewayFailure?> ImportAsync(PlacementMember target, HttpContent car, CancellationToken cancellationToken)
    {
        car.Headers.ContentType = new("application/octet-stream");
        var multipart = new MultipartFormDataContent { { car, "file", "blocks.car" } };
        var stream = target.Undercluster.Client.AddAsync(multipart, CarImport, cancellationToken);
        await foreach (var unused in stream.WithCancellation(cancellationToken))
        {
            // The one AddedOutput names the header's root; what counts is that the stream ends cleanly.
        }

        var completion = await stream.Completion;
        return completion.IsSuccess ? null : GatewayFailure.From(completion.Failure);
    }
}
