using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>pin/ls</c>, with arguments (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.2) and without (§4.7). Arguments are all checked before anything is sent,
/// as Kubo does, so "not pinned" is an HTTP 500 <c>path '&lt;arg&gt;' is not pinned</c> (the Go peer reads the
/// <c>not pinned</c> suffix). A pin of another type than asked is "not pinned"; the gateway tracks no indirect
/// pins. The full listing streams from <see cref="IPinService.ListAsync"/>: a failure before the first value is
/// a Kubo error, a failure after it aborts the connection (never a clean, silently short list).
/// </summary>
internal static class PinLsCommand
{
    private const int FlushEvery = 256;

    public static KuboCommand Definition { get; } = new(
        "pin/ls",
        [new KuboArgument("ipfs-path", Required: false, Variadic: true)],
        [
            new KuboOption("type", KuboOptionKind.String, "t"),
            new KuboOption("quiet", KuboOptionKind.Bool, "q"),
            new KuboOption("stream", KuboOptionKind.Bool, "s"),
            new KuboOption("names", KuboOptionKind.Bool),
            new KuboOption("name", KuboOptionKind.String, "n"),
        ],
        HandleAsync);

    private enum Filter
    {
        All,
        Recursive,
        Direct,
        Indirect,
    }

    private static async Task HandleAsync(KuboCall call)
    {
        var type = call.Text("type") ?? "all";
        Filter? filter = type switch
        {
            "all" => Filter.All,
            "recursive" => Filter.Recursive,
            "direct" => Filter.Direct,
            "indirect" => Filter.Indirect,
            _ => null,
        };
        if (filter is null)
        {
            // Kubo returns this from the command's Run, hence an ordinary error (500, Code 0).
            await call.FailAsync(KuboFailure.Normal($"invalid type '{type}', must be one of {{direct, indirect, recursive, all}}"));
            return;
        }

        var stream = call.Flag("stream", defaultValue: false);
        if (call.Arguments.Count > 0)
        {
            await ListArgumentsAsync(call, filter.Value, stream);
            return;
        }

        var nameFilter = call.Text("name");
        var names = call.Flag("names", defaultValue: false) || nameFilter is not null;
        await ListAllAsync(call, filter.Value, stream, names, nameFilter);
    }

    private static async Task ListArgumentsAsync(KuboCall call, Filter filter, bool stream)
    {
        var pins = call.Service<IPinService>();
        var found = new List<(string Cid, PinMode Mode)>(call.Arguments.Count);
        foreach (var argument in call.Arguments)
        {
            if (!KuboPaths.TryParseCid(argument, out var cid, out var invalid))
            {
                await call.FailAsync(invalid);
                return;
            }

            var answer = await pins.QueryAsync(cid, call.Aborted);
            if (answer.Failure is { } failure)
            {
                await call.FailAsync(failure);
                return;
            }

            if (answer.PinnedAs is not { } mode || !Matches(filter, mode))
            {
                await call.FailAsync(KuboFailure.NotPinned(argument));
                return;
            }

            found.Add((cid.ToString(), mode));
        }

        using var writer = new KuboStreamWriter(call.Http);
        if (stream)
        {
            // Every answer is known already: they go out with the headers in one write when the request ends.
            writer.StartUnsent();
            foreach (var (cid, mode) in found)
            {
                writer.WriteValue(new PinLsObject { Cid = cid, Type = TypeOf(mode) }, KuboJsonContext.Wire.PinLsObject);
            }

            return;
        }

        // The same for the one object of the non-streaming form (`ipfs pin ls <cid>`, kubo-rpc-client; a Go peer asks
        // the streaming one): one write, not one each for the headers, the object, its newline and the end (each its
        // own TLS record on a TLS listener).
        writer.StartUnsent();
        WriteKeysStart(writer);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (cid, mode) in found)
        {
            if (seen.Add(cid))
            {
                WriteKey(writer, cid, mode, "");
            }
        }

        WriteKeysEnd(writer);
    }

    private static async Task ListAllAsync(KuboCall call, Filter filter, bool stream, bool names, string? nameFilter)
    {
        var listing = call.Service<IPinService>().ListAsync(call.Aborted);
        await using var enumerator = listing.GetAsyncEnumerator(call.Aborted);
        using var writer = new KuboStreamWriter(call.Http);

        // The first value is fetched before the 200 so an undercluster failure up front is a proper Kubo error.
        var hasItem = await NextAsync(enumerator, filter, nameFilter, flushBeforeWaiting: null, call.Aborted);
        if (!hasItem && listing.Failure is { } early)
        {
            await call.FailAsync(early);
            return;
        }

        if (hasItem || !stream)
        {
            await writer.StartAsync(call.Aborted);
        }

        if (!stream)
        {
            WriteKeysStart(writer);
        }

        // Values are sent when the listing would wait for the undercluster and every FlushEvery values, not one by one:
        // a flush per value cost a chunk and a socket write per pin, more than the rest of the gateway's work on it.
        // The first value goes out alone: while the pinset arrives faster than it is judged, the listing never waits,
        // and the caller's first line would otherwise wait for FlushEvery values.
        var count = 0;
        while (hasItem)
        {
            var item = enumerator.Current;
            var name = names ? item.Name : null;
            if (stream)
            {
                writer.WriteValue(
                    new PinLsObject { Cid = item.Cid, Type = TypeOf(item.Mode), Name = string.IsNullOrEmpty(name) ? null : name },
                    KuboJsonContext.Wire.PinLsObject);
            }
            else
            {
                WriteKey(writer, item.Cid, item.Mode, name ?? "");
            }

            if (++count == 1 || count % FlushEvery == 0)
            {
                await writer.FlushAsync(call.Aborted);
            }

            hasItem = await NextAsync(enumerator, filter, nameFilter, writer, call.Aborted);
        }

        // A listing cut short is a Kubo error before the 200, an aborted stream after it: never a clean, short list.
        if (listing.Failure is { } failure)
        {
            // The values written since the last flush go out before the abort, like every value before them.
            await writer.FlushAsync(call.Aborted);
            await call.FailAsync(failure);
            return;
        }

        if (stream)
        {
            // An empty listing is 200 with an empty body: a clean end with no values.
            await writer.StartAsync(call.Aborted);
            await writer.FlushAsync(call.Aborted);
        }
        else
        {
            await WriteKeysEndAsync(writer, call.Aborted);
        }
    }

    /// <summary>The next item that passes the filters; what <paramref name="flushBeforeWaiting"/> holds is sent first when the item is not ready yet.</summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<PinnedItem> enumerator, Filter filter, string? nameFilter, KuboStreamWriter? flushBeforeWaiting, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = enumerator.MoveNextAsync();
            if (!next.IsCompleted && flushBeforeWaiting is not null)
            {
                await flushBeforeWaiting.FlushAsync(cancellationToken);
            }

            if (!await next)
            {
                return false;
            }

            var item = enumerator.Current;
            if (Matches(filter, item.Mode) && (nameFilter is null || item.Name.Contains(nameFilter, StringComparison.Ordinal)))
            {
                return true;
            }
        }
    }

    // Kubo's non-streaming form: one object {"Keys":{"<cid>":{"Type":"…","Name":""}}} (Name without omitempty).
    // Written piecewise so a large pinset is never held in memory; "Keys" is written even when empty.
    private static void WriteKeysStart(KuboStreamWriter writer)
    {
        writer.Json.WriteStartObject();
        writer.Json.WriteStartObject("Keys");
    }

    private static void WriteKey(KuboStreamWriter writer, string cid, PinMode mode, string name)
    {
        writer.Json.WriteStartObject(cid);
        writer.Json.WriteString("Type", TypeOf(mode));
        writer.Json.WriteString("Name", name);
        writer.Json.WriteEndObject();
    }

    private static void WriteKeysEnd(KuboStreamWriter writer)
    {
        writer.Json.WriteEndObject();
        writer.Json.WriteEndObject();
        writer.EndValue();
    }

    private static async Task WriteKeysEndAsync(KuboStreamWriter writer, CancellationToken cancellationToken)
    {
        WriteKeysEnd(writer);
        await writer.FlushAsync(cancellationToken);
    }

    private static bool Matches(Filter filter, PinMode mode) => filter switch
    {
        Filter.All => true,
        Filter.Recursive => mode == PinMode.Recursive,
        Filter.Direct => mode == PinMode.Direct,
        _ => false,
    };

    private static string TypeOf(PinMode mode) => mode == PinMode.Direct ? "direct" : "recursive";
}
