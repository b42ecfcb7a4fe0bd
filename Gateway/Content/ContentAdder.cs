using System.Globalization;
using System.Net.Http.Headers;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;

namespace CompositeGateway.Content;

/// <summary>
/// Kubo's <c>add</c> over the underclusters (docs/design/content.md "add"). The upload goes to the undercluster's
/// <c>POST /add</c> as it is read (docs/protocol/cluster-rest-api.md §5.13, with <c>no-pin=true</c>); its output
/// lines are passed on one behind, so at most one line is held. Only when the undercluster's stream ended cleanly
/// are the roots pinned through <see cref="IPinService"/> (this gateway's ownership, placement, the
/// <c>pinned_when</c> wait), and the last line (the root's) is emitted only once they are pinned. Any failure
/// is returned as a value: nothing has been pinned then.
/// </summary>
internal sealed class ContentAdder(Placement placement, IPinService pins)
{
    public async Task<GatewayFailure?> AddAsync(AddUpload upload, AddOptions options, AddEmitter emit, CancellationToken cancellationToken)
    {
        if (options.OnlyHash)
        {
            return await LocalHasher.HashAsync(upload, options, emit, cancellationToken);
        }

        // With one undercluster it is asked whatever the health probe last saw, as the pin path does (the n = 1 case).
        if (placement.Members.Count > 1)
        {
            return new GatewayFailure("add: adding through several underclusters is not available yet", Transient: false);
        }

        var targets = placement.Members;

        var content = new StreamContent(new NonDisposingStream(upload.Body), 64 * 1024);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.ContentType);
        content.Headers.ContentLength = upload.Length;
        var stream = targets[0].Undercluster.Client.AddAsync(content, ToClusterRequest(options), cancellationToken);

        var roots = new List<string>();
        AddedEntry? held = null;
        await foreach (var line in stream.WithCancellation(cancellationToken))
        {
            var entry = Translate(line, options.Wrap);
            if (held is not null)
            {
                await EmitAsync(held);
                held = null;
            }

            if (entry.IsProgress)
            {
                await emit(entry, cancellationToken);
                continue;
            }

            // Kubo adds and pins every top-level entry on its own; with wrap only the wrapping directory.
            if (!options.Wrap && !entry.Name.Contains('/', StringComparison.Ordinal))
            {
                roots.Add(entry.Cid!);
            }

            held = entry;
        }

        var completion = await stream.Completion;
        if (!completion.IsSuccess)
        {
            return GatewayFailure.From(completion.Failure);
        }

        if (held is null)
        {
            // kubo core/commands/add.go: nothing was added.
            return new GatewayFailure("expected a file argument", Transient: false);
        }

        if (options.Pin && await PinAsync(options.Wrap ? [held.Cid!] : roots, cancellationToken) is { } pinFailure)
        {
            return pinFailure;
        }

        await EmitAsync(held);
        return null;

        ValueTask EmitAsync(AddedEntry entry) => options.Silent ? ValueTask.CompletedTask : emit(entry, cancellationToken);
    }

    /// <summary>The cluster's add parameters for a Kubo add (docs/protocol/ipfs-proxy-prior-art.md §5), never pinning there.</summary>
    internal static AddRequest ToClusterRequest(AddOptions options) => new()
    {
        NoPin = true,
        WrapWithDirectory = options.Wrap,
        CidVersion = options.CidVersion,
        RawLeaves = options.RawLeaves,
        Chunker = options.ChunkSize == AddOptions.DefaultChunkSize ? null : "size-" + options.ChunkSize.ToString(CultureInfo.InvariantCulture),
        Hash = options.Hash == AddOptions.DefaultHash ? null : options.Hash,
        Progress = options.Progress,
    };

    /// <summary>A cluster line in Kubo's terms: an unnamed top-level file is named by its CID, as Kubo's adder does.</summary>
    internal static AddedEntry Translate(AddedOutput line, bool wrap)
    {
        if (line.Cid is null)
        {
            return new AddedEntry(line.Name, null, (long)line.Bytes, 0);
        }

        var name = !wrap && line.Name.Length == 0 ? line.Cid : line.Name;
        return new AddedEntry(name, line.Cid, 0, line.Size);
    }

    private async Task<GatewayFailure?> PinAsync(List<string> roots, CancellationToken cancellationToken)
    {
        var waits = new List<IPinWait>(roots.Count);
        foreach (var root in roots.Distinct(StringComparer.Ordinal))
        {
            var started = await pins.StartPinAsync(new PinIntent(root, PinMode.Recursive), cancellationToken);
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
