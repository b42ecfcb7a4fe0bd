using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Clusters.Wire;

namespace CompositeGateway.Lab;

/// <summary>
/// ipfs-cluster's <c>StreamResponse</c> (§1.3): NDJSON items over chunked HTTP/1.1, <c>Trailer:
/// X-Stream-Error</c> declared up front and its value (empty when fine) sent after the last chunk;
/// 204 when there is no item and no error, 500 when there is no item and an error.
/// Kestrel cannot send HTTP/1.1 trailers, so this writes the chunked framing itself (Kestrel leaves
/// the body alone when the response already says <c>Transfer-Encoding: chunked</c>). Items are
/// serialised into one reused buffer and sent as a chunk every few KB, so a million-item listing
/// runs in bounded memory.
/// </summary>
internal static class NdjsonStream
{
    public const string TrailerName = "X-Stream-Error";
    private const int ChunkThreshold = 32 * 1024;

    public static async Task WriteAsync<T>(HttpContext context, LabFaults faults, IEnumerable<T> items, JsonTypeInfo<T> type)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
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
        response.Headers.TransferEncoding = "chunked";
        var body = response.BodyWriter;
        var buffer = new ArrayBufferWriter<byte>(ChunkThreshold + 4096);
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var dropAfter = faults.DropStreamAfter;
        var count = 0;
        do
        {
            JsonSerializer.Serialize(writer, enumerator.Current, type);
            writer.Flush();
            writer.Reset();
            buffer.Write("\n"u8);
            count++;
            if (count == dropAfter)
            {
                // Fault: the connection dies mid-stream, without the last chunk or the trailer.
                await WriteChunkAsync(body, buffer, cancellationToken);
                // A flush only reaches Kestrel's transport pipe; aborting at once would discard what
                // is still queued for the socket. Give the bytes a moment (real time: this is about
                // the socket, not the emulated clock) so the client sees the items, then the cut.
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
                context.Abort();
                return;
            }

            // The first item goes out at once (the real server flushes after every item).
            if (count == 1 || buffer.WrittenCount >= ChunkThreshold)
            {
                await WriteChunkAsync(body, buffer, cancellationToken);
            }
        }
        while (enumerator.MoveNext());

        if (buffer.WrittenCount > 0)
        {
            await WriteChunkAsync(body, buffer, cancellationToken);
        }

        // Last chunk, then the trailer section (RFC 9112 §7.1.2); Go sends the empty value on purpose.
        body.Write(Encoding.ASCII.GetBytes($"0\r\n{TrailerName}: {streamError ?? ""}\r\n\r\n"));
        await body.FlushAsync(cancellationToken);
    }

    private static async ValueTask WriteChunkAsync(PipeWriter body, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        body.Write(Encoding.ASCII.GetBytes(buffer.WrittenCount.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
        body.Write(buffer.WrittenSpan);
        body.Write("\r\n"u8);
        buffer.ResetWrittenCount();
        await body.FlushAsync(cancellationToken);
    }
}
