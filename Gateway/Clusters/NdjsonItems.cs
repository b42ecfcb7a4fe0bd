using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CompositeGateway.Clusters;

/// <summary>
/// The items of one NDJSON body (docs/protocol/cluster-rest.md §1.3), read one at a time in bounded memory. ipfs-cluster
/// ends every item with a newline, so an item is found by looking for the newline (a vectorised byte search) and
/// decoded from that one contiguous line in a single pass. The serializer's own streaming reader
/// (<c>DeserializeAsyncEnumerable</c>) scans each item twice when its decoder is a custom converter (once to find
/// where the item ends, once to decode it), which was a quarter of the gateway's CPU per listed pin
/// (docs/development/performance.md, "Ninth pass"). A body that is not one item per line is still read as Go's
/// decoder reads it: an item spread over several lines is decoded once its last line is in, and several items on one
/// line one after another.
/// </summary>
internal sealed class NdjsonItems<T>(Stream body, JsonTypeInfo<T> type) : IDisposable
{
    /// <summary>
    /// The most the reader holds while it looks for the newline that ends an item (the longest item, or line of items,
    /// read); more fails the stream instead of growing the buffer without end.
    /// </summary>
    internal const int MaxItemBytes = 16 << 20;

    private const int InitialBufferBytes = 64 << 10;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);

    // The unread bytes are _buffer[_start.._end); up to _start + _searched no newline ends a whole item.
    private int _start;
    private int _end;
    private int _searched;
    private bool _ended;

    /// <summary>The next item, or <c>(false, default)</c> at the end of the body. Throws <see cref="JsonException"/> for an undecodable item.</summary>
    public async ValueTask<(bool Read, T? Item)> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(out var item))
            {
                return (true, item);
            }

            if (_ended)
            {
                return (false, default);
            }

            await FillAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryTake(out T? item)
    {
        item = default;
        while (_start < _end && IsJsonWhitespace(_buffer[_start]))
        {
            _start++;
            _searched = 0;
        }

        while (_start < _end)
        {
            var newline = _buffer.AsSpan(_start + _searched, _end - _start - _searched).IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? _end : _start + _searched + newline;
            if (lineEnd - _start > MaxItemBytes)
            {
                throw new JsonException($"more than {MaxItemBytes} bytes without a newline that ends an item");
            }

            if (newline < 0 && !_ended)
            {
                _searched = _end - _start;
                return false;
            }

            var line = _buffer.AsSpan(_start, lineEnd - _start);
            try
            {
                item = DecodeFirst(line, out var consumed);
                _start += consumed;
                _searched = 0;
                return true;
            }
            catch (JsonException) when (EndsInsideItem(_buffer.AsSpan(_start, Math.Min(lineEnd + 1, _end) - _start)))
            {
                if (newline < 0)
                {
                    throw new JsonException($"the body ends inside an item ({line.Length} bytes after the last whole one)");
                }

                // Not one item per line: this item goes on past the newline.
                _searched = lineEnd + 1 - _start;
            }
        }

        return false;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        // Room is made once less than a quarter of the buffer is left: the unread part moves to the front, into a
        // buffer twice as large when it fills more than half (one item longer than the buffer).
        if (_buffer.Length - _end < _buffer.Length / 4)
        {
            var pending = _end - _start;
            var target = pending * 2 > _buffer.Length ? ArrayPool<byte>.Shared.Rent(_buffer.Length * 2) : _buffer;
            _buffer.AsSpan(_start, pending).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _start = 0;
            _end = pending;
        }

        var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            _ended = true;
        }

        _end += read;
    }

    /// <summary>The first item of <paramref name="line"/>, and the bytes it took.</summary>
    private T? DecodeFirst(ReadOnlySpan<byte> line, out int consumed)
    {
        try
        {
            // A line that holds one item is decoded as a whole; the overload that takes a reader would first scan the
            // item to find its end, the very second pass this class exists to avoid.
            consumed = line.Length;
            return JsonSerializer.Deserialize(line, type);
        }
        catch (JsonException)
        {
            // Several items on this line, one that goes on past it, or a bad one (which throws again here).
            var reader = new Utf8JsonReader(line, isFinalBlock: true, default);
            var item = JsonSerializer.Deserialize(ref reader, type);
            consumed = (int)reader.BytesConsumed;
            return item;
        }
    }

    /// <summary>True when <paramref name="text"/> is well-formed JSON so far but its first value is not finished.</summary>
    private static bool EndsInsideItem(ReadOnlySpan<byte> text)
    {
        var probe = new Utf8JsonReader(text, isFinalBlock: false, default);
        try
        {
            return !(probe.Read() && probe.TrySkip());
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
