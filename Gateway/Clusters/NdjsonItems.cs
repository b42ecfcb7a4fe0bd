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
/// decoder reads it, in time linear in its length: an item spread over several lines is followed token by token to
/// its end and then decoded, and several items on one line are decoded one after another.
/// </summary>
internal sealed class NdjsonItems<T>(Stream body, JsonTypeInfo<T> type) : IDisposable
{
    /// <summary>
    /// The most the reader holds while it looks for the end of an item (the longest item, or line of items, read);
    /// more fails the stream instead of growing the buffer without end.
    /// </summary>
    internal const int MaxItemBytes = 16 << 20;

    private const int InitialBufferBytes = 64 << 10;

    // Larger buffers, grown for one long item, are left to the GC rather than kept by the shared pool for good.
    private const int LargestPooledBytes = 1 << 20;

    private readonly JsonReaderOptions _readerOptions = new()
    {
        AllowTrailingCommas = type.Options.AllowTrailingCommas,
        CommentHandling = type.Options.ReadCommentHandling,
        MaxDepth = type.Options.MaxDepth,
    };

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);

    // The unread bytes are _buffer[_start.._end); before _start + _searched no newline ends the item that starts at _start.
    private int _start;
    private int _end;
    private int _searched;
    private bool _ended;

    // Set while an item is followed token by token (it is not alone on its line): the reader's state after the tokens
    // read so far, which end at _start + _spreadRead; the item's line ends at _start + _spreadLine.
    private JsonReaderState? _spread;
    private int _spreadRead;
    private int _spreadLine;

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
            Return(buffer);
        }
    }

    private bool TryTake(out T? item)
    {
        item = default;
        if (_spread is not null)
        {
            return TryTakeSpread(out item);
        }

        while (_start < _end && IsJsonWhitespace(_buffer[_start]))
        {
            _start++;
            _searched = Math.Max(0, _searched - 1);
        }

        if (_start == _end)
        {
            return false;
        }

        var newline = _buffer.AsSpan(_start + _searched, _end - _start - _searched).IndexOf((byte)'\n');
        var lineEnd = newline < 0 ? _end : _start + _searched + newline;
        CheckLength(lineEnd - _start);
        if (newline < 0 && !_ended)
        {
            _searched = _end - _start;
            return false;
        }

        var line = _buffer.AsSpan(_start, lineEnd - _start);
        try
        {
            // A line that holds one item is decoded as a whole; the overload that takes a reader would first scan the
            // item to find its end, the very second pass this class exists to avoid.
            item = JsonSerializer.Deserialize(line, type);
            _start = lineEnd;
            _searched = 0;
            return true;
        }
        catch (JsonException)
        {
            // Several items on this line, one that goes on past it, or a bad one: the first item is followed token by
            // token to its end, where a bad one fails.
            _spread = new JsonReaderState(_readerOptions);
            _spreadRead = 0;
            _spreadLine = lineEnd - _start;
            return TryTakeSpread(out item);
        }
    }

    /// <summary>The item that starts at <c>_start</c>, once its last token is in: decoded alone.</summary>
    private bool TryTakeSpread(out T? item)
    {
        item = default;

        // Not the final block even at the end of the body: a reader that runs out of bytes inside the item then says
        // so by returning false, and a bad token still throws.
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start + _spreadRead, _end - _start - _spreadRead), isFinalBlock: false, _spread!.Value);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                var length = _spreadRead + (int)reader.BytesConsumed;
                _spread = null;
                item = JsonSerializer.Deserialize(_buffer.AsSpan(_start, length), type);
                _start += length;

                // When the item ended before its line did, the line's newline is where the next search starts: a line
                // of many items is searched once, not once per item.
                _searched = Math.Max(0, _spreadLine - length);
                return true;
            }
        }

        if (_ended)
        {
            throw new JsonException($"the body ends inside an item ({_end - _start} bytes after the last whole one)");
        }

        _spreadRead += (int)reader.BytesConsumed;
        _spread = reader.CurrentState;
        CheckLength(_end - _start);
        return false;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        // Room is made once less than a quarter of the buffer is left: the unread part moves to the front, into a
        // buffer twice as large when it fills more than half (one item longer than the buffer).
        if (_buffer.Length - _end < _buffer.Length / 4)
        {
            var pending = _end - _start;
            var target = pending * 2 > _buffer.Length ? Rent(_buffer.Length * 2) : _buffer;
            _buffer.AsSpan(_start, pending).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                Return(_buffer);
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

    private static void CheckLength(int bytes)
    {
        if (bytes > MaxItemBytes)
        {
            throw new JsonException($"more than {MaxItemBytes} bytes without the end of an item");
        }
    }

    private static byte[] Rent(int bytes) =>
        bytes <= LargestPooledBytes ? ArrayPool<byte>.Shared.Rent(bytes) : GC.AllocateUninitializedArray<byte>(bytes);

    private static void Return(byte[] buffer)
    {
        if (buffer.Length <= LargestPooledBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
