using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// ipfs-cluster's <c>StreamResponse</c> (docs/protocol/cluster-rest.md §1.3; api/common/api.go): NDJSON items, <c>Trailer:
/// X-Stream-Error</c> declared up front and its value (empty when fine, on purpose) sent after the
/// last chunk; 204 when there is no item and no error, 500 when there is no item and an error.
/// The first item goes out at once, the rest in chunks of a few KB (see <see cref="ChunkedJsonWriter"/>).
/// </summary>
internal static class NdjsonStream
{
    public const string TrailerName = "X-Stream-Error";

    public static async Task WriteAsync<T>(HttpContext context, LabFaults faults, IEnumerable<T> items, JsonTypeInfo<T> type)
    {
        var response = context.Response;
        response.ContentType = LabHttp.JsonContentType;
        response.Headers.Trailer = TrailerName;
        var streamError = string.IsNullOrEmpty(faults.StreamError) ? null : faults.StreamError;

        using var enumerator = items.GetEnumerator();
        if (!enumerator.MoveNext())
        {
            if (streamError is not null)
            {
                await LabHttp.WriteErrorAsync(context, new ClusterError(500, streamError));
            }
            else
            {
                response.StatusCode = StatusCodes.Status204NoContent;
            }

            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        await using var writer = new ChunkedJsonWriter(context);
        do
        {
            // A client that went away must not make us serialise the rest of a million items.
            context.RequestAborted.ThrowIfCancellationRequested();
            writer.Append(enumerator.Current, type);
            if (writer.Count == faults.DropStreamAfter)
            {
                await writer.DropAsync();
                return;
            }

            await writer.FlushAsync(force: writer.Count == 1 || writer.Count == faults.StallStreamAfter);
            if (writer.Count == faults.StallStreamAfter)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
        }
        while (enumerator.MoveNext());

        await writer.CompleteAsync(TrailerName, streamError ?? "");
    }
}
