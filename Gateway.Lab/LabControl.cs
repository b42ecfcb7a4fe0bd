using System.Globalization;
using System.Text.Json;
using CompositeGateway.Go;

namespace CompositeGateway.Lab;

/// <summary>
/// The lab's control surface on the cluster's own listener, outside authentication and faults
/// (a test must be able to heal what it broke):
/// <list type="bullet">
/// <item><c>GET /_lab/faults</c> current faults; <c>POST</c> merges a <see cref="LabFaults"/> body; <c>PUT</c> replaces; <c>DELETE</c> clears.</item>
/// <item><c>POST /_lab/peers/{index}/down</c>, <c>…/up</c>: force a simulated peer down or back.</item>
/// <item><c>POST /_lab/down?for=5s</c>: stop listening now, listen again on the same port after the duration.</item>
/// <item><c>POST /_lab/seed?count=N[&amp;size=bytes][&amp;name=prefix][&amp;meta-key=value…]</c>: bulk-load N synthetic pins, already pinned, with that metadata.</item>
/// <item><c>GET /_lab/state</c>: pin count and per-peer capacity/usage.</item>
/// <item><c>GET /_lab/blocks[?peer=index|id]</c>: NDJSON, one <see cref="LabBlockReport"/> per held block; <c>GET /_lab/blocks/{cid}</c> one, with its links.</item>
/// <item><c>GET /_lab/dag/{cid}</c>: whether the DAG under a root is complete, and what is missing.</item>
/// </list>
/// </summary>
internal sealed class LabControl(LabCluster cluster, Func<TimeSpan, Task> downFor)
{
    public async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var segments = path.Trim('/').Split('/');
        switch (segments)
        {
            case ["_lab", "faults"] when method == HttpMethods.Get:
                await WriteFaultsAsync(context);
                return;
            case ["_lab", "faults"] when method == HttpMethods.Delete:
                cluster.Faults.Clear();
                await WriteFaultsAsync(context);
                return;
            case ["_lab", "faults"] when method == HttpMethods.Post || method == HttpMethods.Put:
                await UpdateFaultsAsync(context, replace: method == HttpMethods.Put);
                return;
            case ["_lab", "peers", var index, "down" or "up"] when method == HttpMethods.Post:
                if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= cluster.Peers.Count)
                {
                    await LabHttp.WriteErrorAsync(context, 404, $"lab: no peer {index}");
                    return;
                }

                cluster.Faults.SetPeerDown(i, segments[3] == "down");
                await WriteFaultsAsync(context);
                return;
            case ["_lab", "down"] when method == HttpMethods.Post:
                var forText = PinOptionsQuery.Get(context.Request.Query, "for");
                if (!GoDuration.TryParse(forText.Length == 0 ? "5s" : forText, out var duration, out var error) || duration <= TimeSpan.Zero)
                {
                    await LabHttp.WriteErrorAsync(context, 400, "lab: for: " + error);
                    return;
                }

                // Answer first: going down closes this very connection.
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                await context.Response.CompleteAsync();
                _ = Task.Run(() => downFor(duration), CancellationToken.None);
                return;
            case ["_lab", "seed"] when method == HttpMethods.Post:
                await SeedAsync(context);
                return;
            case ["_lab", "state"] when method == HttpMethods.Get:
                await LabHttp.WriteJsonAsync(context, 200, Report(cluster), LabJsonContext.Default.LabStateReport);
                return;
            case ["_lab", "blocks"] when method == HttpMethods.Get:
                await LabBlocksReport.WriteAllAsync(cluster, context);
                return;
            case ["_lab", "blocks", var cid] when method == HttpMethods.Get:
                await LabBlocksReport.WriteOneAsync(cluster, context, cid);
                return;
            case ["_lab", "dag", var cid] when method == HttpMethods.Get:
                await LabBlocksReport.WriteDagAsync(cluster, context, cid);
                return;
            default:
                await LabHttp.WriteErrorAsync(context, 404, "not found");
                return;
        }
    }

    public static LabStateReport Report(LabCluster cluster) => new()
    {
        Name = cluster.Options.Name,
        Pins = cluster.Store.Count,
        Peers = [.. cluster.Peers.Select(p => new LabPeerReport(p.Index, p.Id, p.Name, p.IpfsId, p.Capacity, p.UsedBytes, p.FreeBytes, cluster.IsDown(p)))],
    };

    private async Task UpdateFaultsAsync(HttpContext context, bool replace)
    {
        LabFaults? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync(context.Request.Body, LabJsonContext.Default.LabFaults, context.RequestAborted);
        }
        catch (JsonException e)
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: bad faults body: " + e.Message);
            return;
        }

        if (update is null)
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: bad faults body: null");
            return;
        }

        var next = replace ? update : cluster.Faults.Current.Merge(update);
        if (next.Validate() is { Count: > 0 } errors)
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: " + string.Join("; ", errors));
            return;
        }

        if (replace)
        {
            cluster.Faults.Set(next);
        }
        else
        {
            cluster.Faults.Merge(update);
        }

        await WriteFaultsAsync(context);
    }

    private async Task SeedAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!int.TryParse(PinOptionsQuery.Get(query, "count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: count must be a positive integer");
            return;
        }

        var sizeText = PinOptionsQuery.Get(query, "size");
        long size = 0;
        if (sizeText.Length > 0 && !ByteSize.TryParse(sizeText, out size))
        {
            await LabHttp.WriteErrorAsync(context, 400, "lab: size must be a byte size such as 1MiB");
            return;
        }

        // meta-<key>=<value>, as in ipfs-cluster's pin options (docs/protocol/cluster-rest.md §4): e.g. a gateway's owner key.
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith("meta-", StringComparison.Ordinal) && key.Length > "meta-".Length)
            {
                metadata[key["meta-".Length..]] = values.ToString();
            }
        }

        var first = LabPinning.Seed(cluster, count, size, PinOptionsQuery.Get(query, "name"), metadata);
        await LabHttp.WriteJsonAsync(context, 200, new LabSeedResult(first, count, cluster.Store.Count), LabJsonContext.Default.LabSeedResult);
    }

    private Task WriteFaultsAsync(HttpContext context) =>
        LabHttp.WriteJsonAsync(context, 200, cluster.Faults.Current, LabJsonContext.Default.LabFaults);
}
