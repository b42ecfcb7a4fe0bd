using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using CompositeGateway.Clusters;
using CompositeGateway.Content;
using CompositeGateway.KuboRpc.Wire;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>add</c>: a multipart upload in the go-ipfs-files layout, streamed to the undercluster(s) by
/// <see cref="ContentAdder"/> (docs/design/content.md "add"), answered in Kubo's NDJSON (<see cref="AddEventOutput"/>).
/// Kubo's options that change the DAG in ways the underclusters' adder cannot reproduce, or that need a local
/// node (MFS, filestore), are refused as client errors before anything is read. The answer starts with the first
/// line; a failure after that aborts the connection (<see cref="KuboErrorWriter"/>), never a clean end.
/// </summary>
internal static class AddCommand
{
    // Kubo's add options the gateway refuses when set to anything but their default (kubo core/commands/add.go).
    private static readonly string[] UnsupportedWhenTrue = ["trickle", "nocopy", "fscache", "inline", "preserve-mode", "preserve-mtime"];
    private static readonly string[] UnsupportedWhenGiven = ["to-files", "pin-name", "max-file-links", "max-directory-links", "max-hamt-fanout", "mode", "mtime", "mtime-nsecs"];

    public static KuboCommand Definition { get; } = new(
        "add",
        [],
        [
            new KuboOption("pin", KuboOptionKind.Bool),
            new KuboOption("only-hash", KuboOptionKind.Bool, "n"),
            new KuboOption("cid-version", KuboOptionKind.String),
            new KuboOption("raw-leaves", KuboOptionKind.Bool),
            new KuboOption("chunker", KuboOptionKind.String, "s"),
            new KuboOption("wrap-with-directory", KuboOptionKind.Bool, "w"),
            new KuboOption("hash", KuboOptionKind.String),
            new KuboOption("progress", KuboOptionKind.Bool, "p"),
            new KuboOption("quiet", KuboOptionKind.Bool, "q"),
            new KuboOption("quieter", KuboOptionKind.Bool, "Q"),
            new KuboOption("silent", KuboOptionKind.Bool),
            new KuboOption("trickle", KuboOptionKind.Bool, "t"),
            new KuboOption("nocopy", KuboOptionKind.Bool),
            new KuboOption("fscache", KuboOptionKind.Bool),
            new KuboOption("inline", KuboOptionKind.Bool),
            new KuboOption("preserve-mode", KuboOptionKind.Bool),
            new KuboOption("preserve-mtime", KuboOptionKind.Bool),
            .. UnsupportedWhenGiven.Select(name => new KuboOption(name, KuboOptionKind.String)),
        ],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (!TryReadOptions(call, out var options, out var refused))
        {
            await call.FailAsync(refused);
            return;
        }

        if (!TryReadUpload(call.Http, out var upload))
        {
            // go-ipfs-cmds http/parse.go: a request without a multipart body has no files.
            await call.FailAsync(KuboFailure.Client("file argument 'path' is required"));
            return;
        }

        // An add may be any size: Kestrel's default limit (30 MB) would cut it mid-upload.
        UploadRequests.AllowUnlimitedBody(call.Http);

        using var writer = new KuboStreamWriter(call.Http);
        GatewayFailure? failure;
        try
        {
            failure = await call.Service<ContentAdder>().AddAsync(upload, options, (entry, token) => new ValueTask(WriteAsync(writer, entry, token)), call.Aborted);
        }
        catch (IOException e) when (!call.Aborted.IsCancellationRequested)
        {
            // The request body broke (client gone, body shorter than announced): the upstream add was cancelled with it.
            failure = new GatewayFailure("error reading the upload: " + e.Message, Transient: false);
        }

        if (failure is not null)
        {
            await call.FailAsync(failure);
            return;
        }

        // Silent adds print nothing; the answer is still a clean, empty stream.
        await writer.StartAsync(call.Aborted);
    }

    private static Task WriteAsync(KuboStreamWriter writer, AddedEntry entry, CancellationToken cancellationToken) =>
        writer.WriteValueAsync(
            new AddEventOutput
            {
                Name = entry.Name,
                Hash = entry.Cid,
                Bytes = entry.Bytes,
                Size = entry.IsProgress ? null : entry.Size.ToString(CultureInfo.InvariantCulture),
            },
            KuboJsonContext.Wire.AddEventOutput,
            cancellationToken);

    /// <summary>Kubo's option rules (kubo core/coreiface/options/unixfs.go), and a client error for every option the gateway cannot honour.</summary>
    internal static bool TryReadOptions(KuboCall call, [NotNullWhen(true)] out AddOptions? options, [NotNullWhen(false)] out KuboFailure? failure)
    {
        options = null;
        foreach (var name in UnsupportedWhenTrue)
        {
            if (call.Flag(name, defaultValue: false))
            {
                failure = Unsupported(name);
                return false;
            }
        }

        foreach (var name in UnsupportedWhenGiven)
        {
            if (call.Text(name) is not null)
            {
                failure = Unsupported(name);
                return false;
            }
        }

        var hash = (call.Text("hash") is { Length: > 0 } h ? h : AddOptions.DefaultHash).ToLowerInvariant();
        if (!KnownHashes.Contains(hash))
        {
            failure = KuboFailure.Normal($"unrecognized hash function: \"{hash}\"");
            return false;
        }

        int? cidVersion = null;
        if (call.Text("cid-version") is { } versionText)
        {
            if (!int.TryParse(versionText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
            {
                failure = KuboFailure.Client($"could not convert value \"{versionText}\" to type \"int\" (for option \"-cid-version\")");
                return false;
            }

            cidVersion = version;
        }

        if (hash != AddOptions.DefaultHash && cidVersion == 0)
        {
            failure = KuboFailure.Normal("CIDv0 only supports sha2-256");
            return false;
        }

        var effectiveVersion = cidVersion ?? (hash == AddOptions.DefaultHash ? 0 : 1);
        if (effectiveVersion is not (0 or 1))
        {
            failure = KuboFailure.Normal($"unknown CID version: {effectiveVersion}");
            return false;
        }

        if (!TryReadChunker(call.Text("chunker"), out var chunkSize, out failure))
        {
            return false;
        }

        options = new AddOptions
        {
            Pin = call.Flag("pin", defaultValue: true),
            OnlyHash = call.Flag("only-hash", defaultValue: false),
            CidVersion = effectiveVersion,
            RawLeaves = call.Flag("raw-leaves", defaultValue: effectiveVersion > 0),
            ChunkSize = chunkSize,
            Hash = hash,
            Wrap = call.Flag("wrap-with-directory", defaultValue: false),
            Progress = call.Flag("progress", defaultValue: false),
            Silent = call.Flag("silent", defaultValue: false),
        };
        failure = null;
        return true;
    }

    // The multihash names Kubo's add accepts that the cluster's adder can also use (go-multihash Names, common subset).
    private static readonly HashSet<string> KnownHashes = ["sha2-256", "sha2-512", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "keccak-256", "keccak-512", "blake2b-256", "blake2b-512", "blake2s-256", "blake3", "sha1", "identity"];

    private static bool TryReadChunker(string? chunker, out int chunkSize, [NotNullWhen(false)] out KuboFailure? failure)
    {
        chunkSize = AddOptions.DefaultChunkSize;
        failure = null;
        if (string.IsNullOrEmpty(chunker) || chunker == "default")
        {
            return true;
        }

        if (chunker.StartsWith("size-", StringComparison.Ordinal)
            && int.TryParse(chunker.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            && size is > 0 and <= 1_048_576)
        {
            chunkSize = size;
            return true;
        }

        failure = KuboFailure.Client(chunker.StartsWith("size-", StringComparison.Ordinal)
            ? $"chunker \"{chunker}\": the size must be a whole number of bytes from 1 to 1048576"
            : $"chunker \"{chunker}\" is not supported by this gateway: only size-N (fixed-size chunks)");
        return false;
    }

    private static KuboFailure Unsupported(string option) =>
        KuboFailure.Client($"add option \"{option}\" is not supported by this gateway");

    private static bool TryReadUpload(HttpContext http, [NotNullWhen(true)] out AddUpload? upload)
    {
        upload = null;
        var contentType = http.Request.ContentType ?? "";
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !(mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return false;
        }

        upload = new AddUpload(http.Request.Body, contentType, boundary, http.Request.ContentLength);
        return true;
    }
}
