using CompositeGateway.Clusters;
using CompositeGateway.Ipld;
using Microsoft.AspNetCore.WebUtilities;

namespace CompositeGateway.Content;

/// <summary>
/// Kubo's <c>add --only-hash</c>, computed here with the project's UnixFS importer and never sent to an
/// undercluster: the multipart body is read part by part, each file streamed through the importer into a
/// discarding sink (memory: one chunk plus the tree's pending links, and the directory entries of the current
/// top-level entry). Lines and names as Kubo's adder prints them (kubo <c>core/commands/add.go</c>,
/// <c>core/coreunix/add.go</c>): every file when imported, then its directories children first; each top-level
/// entry is added on its own (an unnamed top-level file is named by its CID); with wrap, everything goes into
/// one directory named <c>""</c>, printed last.
/// </summary>
internal static class LocalHasher
{
    public static async Task<GatewayFailure?> HashAsync(AddUpload upload, AddOptions options, AddEmitter emit, CancellationToken cancellationToken)
    {
        if (options.Hash != AddOptions.DefaultHash)
        {
            return new GatewayFailure($"only-hash with hash {options.Hash} is not supported by this gateway (only {AddOptions.DefaultHash})", Transient: false);
        }

        var importer = new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions
        {
            CidVersion = options.CidVersion,
            RawLeaves = options.RawLeaves,
            ChunkSize = options.ChunkSize,
        });
        var reader = new MultipartReader(upload.Boundary, upload.Body);
        var run = new Run(importer, options, emit);
        try
        {
            return await run.ReadAsync(reader, cancellationToken) ? null : new GatewayFailure("expected a file argument", Transient: false);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException or IpldFormatException
            || (e is IOException && !cancellationToken.IsCancellationRequested))
        {
            return new GatewayFailure("error reading the upload: " + e.Message, Transient: false);
        }
    }

    private sealed class Run(UnixFsImporter importer, AddOptions options, AddEmitter emit)
    {
        /// <summary>Reads every part; false when there was none.</summary>
        public async Task<bool> ReadAsync(MultipartReader reader, CancellationToken cancellationToken)
        {
            var any = false;
            Group? group = options.Wrap ? new Group("", importer.CreateDirectory()) : null;
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                any = true;
                var part = UploadPart.Describe(section);
                if (part.Kind == UploadPartKind.Symlink)
                {
                    throw new NotSupportedException($"\"{part.Path}\" is a symlink, which this gateway does not add");
                }

                var top = part.Path.Split('/')[0];
                if (!options.Wrap && (group is null || group.Name != top || part.Path == top))
                {
                    // A new top-level entry: Kubo adds each one on its own, so the previous one is complete.
                    if (group is not null)
                    {
                        await FinishAsync(group, cancellationToken);
                        group = null;
                    }

                    if (part.Path == top && part.Kind == UploadPartKind.File)
                    {
                        await ImportAsync(section, part.Path, topLevel: true, cancellationToken);
                        continue;
                    }

                    group = new Group(top, importer.CreateDirectory());
                    if (part.Path == top)
                    {
                        continue;
                    }
                }

                var relative = group!.Name.Length == 0 ? part.Path : part.Path[(group.Name.Length + 1)..];
                if (part.Kind == UploadPartKind.Directory)
                {
                    group.Builder.AddDirectory(relative);
                    continue;
                }

                var entry = await ImportAsync(section, UploadPart.Join(group.Name, relative), topLevel: false, cancellationToken);
                group.Builder.Add(relative, entry);
            }

            if (group is not null)
            {
                await FinishAsync(group, cancellationToken);
            }

            return any;
        }

        private async Task<ImportedEntry> ImportAsync(MultipartSection section, string name, bool topLevel, CancellationToken cancellationToken)
        {
            var body = options.Progress ? new ProgressStream(section.Body, name, emit) : section.Body;
            var entry = await importer.ImportFileAsync(body, progress: null, cancellationToken);
            await EmitAsync(topLevel && name.Length == 0 ? entry.Cid.ToString() : name, entry, cancellationToken);
            return entry;
        }

        private async Task FinishAsync(Group group, CancellationToken cancellationToken)
        {
            var directories = new List<(string Name, ImportedEntry Entry)>();
            await group.Builder.BuildAsync(NullBlockSink.Instance, (path, directory) => directories.Add((UploadPart.Join(group.Name, path), directory)), cancellationToken);
            foreach (var (name, directory) in directories)
            {
                await EmitAsync(name, directory, cancellationToken);
            }
        }

        private ValueTask EmitAsync(string name, ImportedEntry entry, CancellationToken cancellationToken) =>
            options.Silent ? ValueTask.CompletedTask : emit(new AddedEntry(name, entry.Cid.ToString(), 0, entry.DagSize), cancellationToken);
    }

    private sealed record Group(string Name, DirectoryBuilder Builder);
}
