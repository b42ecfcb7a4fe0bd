using System.Globalization;

namespace CompositeGateway.Clusters;

/// <summary>
/// Query parameters of <c>POST /add</c> (docs/protocol/cluster-rest.md §5.13): the pin options plus the add options. Only values
/// that differ from the cluster's defaults are sent, except <c>stream-channels=true</c>, which is
/// always sent because this client only reads the streaming (NDJSON) form.
/// </summary>
internal sealed record AddRequest
{
    /// <summary>Options of the resulting pin; <see cref="PinRequest.PinUpdate"/> is not allowed (the cluster ignores it for adds).</summary>
    public PinRequest Pin { get; init; } = new();

    /// <summary>Put blocks on the contacted peer only.</summary>
    public bool Local { get; init; }

    public bool WrapWithDirectory { get; init; }

    /// <summary><c>unixfs</c> (default) or <c>car</c> (exactly one root).</summary>
    public string Format { get; init; } = "unixfs";

    /// <summary>Only put blocks, do not pin.</summary>
    public bool NoPin { get; init; }

    /// <summary><c>""</c> (balanced), <c>balanced</c> or <c>trickle</c>.</summary>
    public string Layout { get; init; } = "";

    /// <summary>e.g. <c>size-262144</c>, <c>rabin-…</c>, <c>buzhash</c>; null = cluster default.</summary>
    public string? Chunker { get; init; }

    /// <summary>Multihash name; null = <c>sha2-256</c>.</summary>
    public string? Hash { get; init; }

    public int CidVersion { get; init; }

    /// <summary>Null = the cluster's rule (on when <see cref="CidVersion"/> &gt; 0).</summary>
    public bool? RawLeaves { get; init; }

    /// <summary>Emit progress objects (<c>{"name":…,"cid":null,"bytes":…}</c>).</summary>
    public bool Progress { get; init; }

    public IReadOnlyList<string> Validate(DateTimeOffset now)
    {
        var problems = new List<string>(Pin.Validate(now));
        if (Pin.PinUpdate is not null)
        {
            problems.Add("pin-update is not supported by /add");
        }

        if (Format is not ("unixfs" or "car"))
        {
            problems.Add($"format \"{Format}\" is not unixfs or car");
        }

        if (Format == "car" && WrapWithDirectory)
        {
            problems.Add("wrap-with-directory is not allowed with format=car");
        }

        if (Layout is not ("" or "balanced" or "trickle"))
        {
            problems.Add($"layout \"{Layout}\" is not balanced or trickle");
        }

        if (CidVersion is not (0 or 1))
        {
            problems.Add($"cid-version {CidVersion} is not 0 or 1");
        }

        if (Chunker is { Length: 0 } || Hash is { Length: 0 })
        {
            problems.Add("chunker and hash, when given, must not be empty");
        }

        return problems;
    }

    /// <summary>The query parameters of <c>POST /add</c>: the pin options', then the add options that differ from the defaults.</summary>
    public Dictionary<string, string> ToQuery()
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        Pin.AppendTo(query);
        PinRequest.Append(query, "stream-channels", "true");
        AppendFlag(query, "local", Local);
        AppendFlag(query, "wrap-with-directory", WrapWithDirectory);
        AppendFlag(query, "no-pin", NoPin);
        AppendFlag(query, "progress", Progress);
        if (Format != "unixfs")
        {
            PinRequest.Append(query, "format", Format);
        }

        if (Layout.Length > 0)
        {
            PinRequest.Append(query, "layout", Layout);
        }

        if (Chunker is not null)
        {
            PinRequest.Append(query, "chunker", Chunker);
        }

        if (Hash is not null)
        {
            PinRequest.Append(query, "hash", Hash);
        }

        if (CidVersion != 0)
        {
            PinRequest.Append(query, "cid-version", CidVersion.ToString(CultureInfo.InvariantCulture));
        }

        if (RawLeaves is { } rawLeaves)
        {
            PinRequest.Append(query, "raw-leaves", rawLeaves ? "true" : "false");
        }

        return query;
    }

    private static void AppendFlag(Dictionary<string, string> query, string name, bool value)
    {
        if (value)
        {
            PinRequest.Append(query, name, "true");
        }
    }
}
