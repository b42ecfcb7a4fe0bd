namespace CompositeGateway.Lab;

/// <summary><c>POST /add</c> parameters (ipfs-cluster <c>api/add.go AddParamsFromQuery</c>; docs/protocol/cluster-rest.md §5.13).</summary>
internal sealed record LabAddRequest
{
    public LabPinRequest Pin { get; init; } = new();
    public bool Local { get; init; }
    public bool Wrap { get; init; }
    public bool Shard { get; init; }
    public bool StreamChannels { get; init; } = true;
    public string Format { get; init; } = "unixfs";
    public bool NoPin { get; init; }
    public string Layout { get; init; } = "";
    public string Chunker { get; init; } = "size-262144";
    public string Hash { get; init; } = "sha2-256";
    public int CidVersion { get; init; }
    public bool RawLeaves { get; init; }
    public bool Progress { get; init; }
}

/// <summary>Parses add parameters in Go's order; the first error is the 400 text.</summary>
internal static class AddQuery
{
    public static (LabAddRequest Request, string? Error) Parse(IQueryCollection query, DateTimeOffset now)
    {
        var (pin, pinError) = PinOptionsQuery.Parse(query, now);
        var request = new LabAddRequest { Pin = pin with { PinUpdate = null } };
        if (pinError is not null)
        {
            return (request, pinError);
        }

        var layout = PinOptionsQuery.Get(query, "layout");
        if (layout is not ("trickle" or "balanced" or ""))
        {
            return (request, "layout parameter is invalid");
        }

        var chunker = PinOptionsQuery.Get(query, "chunker");
        var hash = PinOptionsQuery.Get(query, "hash");
        var format = PinOptionsQuery.Get(query, "format");
        if (format is not ("car" or "unixfs" or ""))
        {
            return (request, "format parameter is invalid");
        }

        request = request with
        {
            Layout = layout,
            Chunker = chunker == "" ? request.Chunker : chunker,
            Hash = hash == "" ? request.Hash : hash,
            Format = format,
        };

        bool local = false, recursive = false, hidden = false, wrap = false, shard = false, progress = false;
        if ((Bool(query, "local", ref local) ?? Bool(query, "recursive", ref recursive) ?? Bool(query, "hidden", ref hidden)
            ?? Bool(query, "wrap-with-directory", ref wrap) ?? Bool(query, "shard", ref shard) ?? Bool(query, "progress", ref progress)) is { } flagError)
        {
            return (request, flagError);
        }

        var cidVersionText = PinOptionsQuery.Get(query, "cid-version");
        var cidVersion = 0;
        if (cidVersionText != "" && !int.TryParse(cidVersionText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out cidVersion))
        {
            return (request, "parameter cid-version invalid");
        }

        // go-ipfs behaviour: CIDv1 turns raw leaves on unless raw-leaves says otherwise.
        var rawLeaves = cidVersion > 0;
        bool streamChannels = true, noCopy = false, noPin = false;
        if ((Bool(query, "raw-leaves", ref rawLeaves) ?? Bool(query, "stream-channels", ref streamChannels)
            ?? Bool(query, "nocopy", ref noCopy) ?? Bool(query, "no-pin", ref noPin)) is { } error)
        {
            return (request, error);
        }

        return (request with
        {
            Local = local,
            Wrap = wrap,
            Shard = shard,
            Progress = progress,
            CidVersion = cidVersion,
            RawLeaves = rawLeaves,
            StreamChannels = streamChannels,
            NoPin = noPin,
        }, null);
    }

    /// <summary>Go's <c>strconv.ParseBool</c> on a present parameter; the error text when it fails.</summary>
    private static string? Bool(IQueryCollection query, string name, ref bool value)
    {
        switch (PinOptionsQuery.Get(query, name))
        {
            case "":
                return null;
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return null;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return null;
            default:
                return $"parameter {name} invalid";
        }
    }
}
