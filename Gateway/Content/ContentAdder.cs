using System.Globalization;
using System.Net.Http.Headers;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;

namespace CompositeGateway.Content;

/// <summary>
/// Kubo's <c>add</c> over the underclusters (docs/design/content.md "add"). The upload goes, as it is read, to
/// <c>POST /add?no-pin=true</c> of every healthy undercluster at once through <see cref="UploadFanOut"/>
/// (docs/protocol/cluster-rest.md §5.13), so the blocks are wherever placement may later put the pin. The
/// answer is the FIRST target's output, translated and passed on one line behind (at most one line held); the
/// others' outputs are only checked: their roots must equal the first's. Only when every target's stream ended
/// cleanly are the roots pinned through <see cref="IPinService"/> (this gateway's ownership, placement, the
/// <c>pinned_when</c> wait), and the last line (the root's) is emitted only once they are pinned. Any failure
/// is returned as a value: nothing has been pinned then.
/// </summary>
internal sealed class ContentAdder(Placement placement, ContentTargets contentTargets, IPinService pins)
{
    private const int CopyBufferSize = 64 * 1024;

    public async Task<GatewayFailure?> AddAsync(AddUpload upload, AddOptions options, AddEmitter emit, CancellationToken cancellationToken)
    {
        if (options.OnlyHash)
        {
            return await LocalHasher.HashAsync(upload, options, emit, cancellationToken);
        }

        // With one undercluster it is asked whatever the health probe last saw, as the pin path does (the n = 1 case).
        GatewayFailure? noTarget = null;
        var targets = placement.Members.Count == 1 ? placement.Members : contentTargets.Choose(out noTarget);
        if (noTarget is not null)
        {
            return noTarget;
        }

        var request = ToClusterRequest(options);
        var outputs = targets.ToDictionary(t => (object)t, _ => new TargetOutput(), ReferenceEqualityComparer.Instance);
        var first = targets[0];
        await using (var fanOut = UploadFanOut.Start(targets, SendAsync, cancellationToken))
        {
            try
            {
                var buffer = new byte[CopyBufferSize];
                int read;
                while ((read = await upload.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await fanOut.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await fanOut.CompleteAsync(cancellationToken);
            }
            catch (GatewayFailureException e)
            {
                return e.Failure;
            }
        }

        var answer = outputs[first];
        foreach (var other in targets.Skip(1))
        {
            var output = outputs[other];
            if (!output.Roots.SequenceEqual(answer.Roots, StringComparer.Ordinal) || output.Last != answer.Last)
            {
                return new GatewayFailure(
                    $"add: undercluster \"{other.Name}\" made root {output.Last ?? "(none)"} where \"{first.Name}\" made {answer.Last ?? "(none)"}",
                    Transient: false);
            }
        }

        if (answer.Held is not { } held)
        {
            // kubo core/commands/add.go: nothing was added.
            return new GatewayFailure("expected a file argument", Transient: false);
        }

        if (options.Pin)
        {
            // The roots are the undercluster's words; they become CIDs once, here, before they are pinned.
            var roots = new List<Cid>();
            foreach (var root in options.Wrap ? [held.Cid!] : answer.Roots)
            {
                if (!Cid.TryParse(root, out var cid, out var invalid))
                {
                    return new GatewayFailure($"add: undercluster \"{first.Name}\" answered root \"{root}\", which is not a CID: {invalid}", Transient: false);
                }

                roots.Add(cid);
            }

            if (await ContentPins.PinAllAsync(pins, roots, cancellationToken) is { } pinFailure)
            {
                return pinFailure;
            }
        }

        await EmitAsync(held, cancellationToken);
        return null;

        ValueTask EmitAsync(AddedEntry entry, CancellationToken token) => options.Silent ? ValueTask.CompletedTask : emit(entry, token);

        async Task<GatewayFailure?> SendAsync(PlacementMember target, HttpContent body, CancellationToken token)
        {
            body.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.ContentType);
            var output = outputs[target];
            var answering = ReferenceEquals(target, first);
            var stream = target.Undercluster.Client.AddAsync(body, request, token);
            await foreach (var line in stream.WithCancellation(token))
            {
                var entry = Translate(line, options.Wrap);
                if (answering && output.Held is { } previous)
                {
                    await EmitAsync(previous, token);
                }

                output.Held = null;
                if (entry.IsProgress)
                {
                    if (answering)
                    {
                        await emit(entry, token);
                    }

                    continue;
                }

                // Kubo adds and pins every top-level entry on its own; with wrap only the wrapping directory.
                if (!options.Wrap && !entry.Name.Contains('/', StringComparison.Ordinal))
                {
                    output.Roots.Add(entry.Cid!);
                }

                output.Held = entry;
                output.Last = entry.Cid;
            }

            var completion = await stream.Completion;
            return completion.IsSuccess ? null : GatewayFailure.From(completion.Failure);
        }
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

    /// <summary>What one target's add answered: its top-level roots, the last line's CID, and (first target) the line held back.</summary>
    private sealed class TargetOutput
    {
        public List<string> Roots { get; } = [];

        public string? Last { get; set; }

        public AddedEntry? Held { get; set; }
    }
}
