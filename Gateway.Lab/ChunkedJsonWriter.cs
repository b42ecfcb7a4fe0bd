using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CompositeGateway.Lab;

/// <summary>
/// Writes NDJSON items as HTTP/1.1 chunks, with an optional trailer section at the end. Kestrel
/// cannot send HTTP/1.1 trailers, and ipfs-cluster's streams need <c>X-Stream-Error</c> there
/// (docs/protocol/cluster-rest.md §1.3, §5.13), so this owns the chunked framing (Kestrel leaves the body alone when the
/// response already says <c>Transfer-Encoding: chunked</c>). Items are serialised into one reused
/// buffer and sent every few KB: bounded memory whatever the item count.
/// </summary>
internal sealed class ChunkedJsonWriter : IAsyncDisposable
{
    private const int ChunkThreshold = 32 * 1024;

    private readonly HttpContext _context;
    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkThreshold + 4096);
    private readonly Utf8JsonWriter _json;

    /// <summary>Sends the status line and headers at the next flush; the caller has set status and headers.</summary>
    public ChunkedJsonWriter(HttpContext context)
    {
        _context = context;
        context.Response.Headers.TransferEncoding = "chunked";
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public int Count { get; private set; }

    /// <summary>Serialises one item and its newline into the buffer (no I/O).</summary>
    public void Append<T>(T item, JsonTypeInfo<T> type)
    {
        JsonSerializer.Serialize(_json, item, type);
        _json.Flush();
        _json.Reset();
        _buffer.Write("\n"u8);
        Count++;
    }

    /// <summary>Sends what is buffered once it is worth a chunk (or always, when <paramref name="force"/>).</summary>
    public async ValueTask FlushAsync(bool force = false)
    {
        if (_buffer.WrittenCount == 0 || (!force && _buffer.WrittenCount < ChunkThreshold))
        {
            return;
        }

        var body = _context.Response.BodyWriter;
        body.Write(Encoding.ASCII.GetBytes(_buffer.WrittenCount.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
        body.Write(_buffer.WrittenSpan);
        body.Write("\r\n"u8);
        _buffer.ResetWrittenCount();
        await body.FlushAsync(_context.RequestAborted);
    }

    /// <summary>The last chunk and, when <paramref name="trailerName"/> is given, one trailer field (RFC 9112 section 7.1.2).</summary>
    public async ValueTask CompleteAsync(string? trailerName, string? trailerValue)
    {
        await FlushAsync(force: true);
        var body = _context.Response.BodyWriter;
        body.Write(Encoding.ASCII.GetBytes(trailerName is null ? "0\r\n\r\n" : $"0\r\n{trailerName}: {trailerValue}\r\n\r\n"));
        await body.FlushAsync(_context.RequestAborted);
    }

    /// <summary>
    /// Fault: sends what is buffered, then kills the connection without the last chunk. A flush
    /// only reaches Kestrel's transport pipe and an abort discards what is still queued for the
    /// socket, so the bytes get a moment first (real time: this is about the socket, not the
    /// emulated clock).
    /// </summary>
    public async ValueTask DropAsync()
    {
        await FlushAsync(force: true);
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, _context.RequestAborted);
        _context.Abort();
    }

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}
