using System.Text;

namespace CompositeGateway.Hosting;

/// <summary>
/// The read side of a Kubo listener connection (<see cref="KestrelRejections"/>). Go's <c>net/http</c> reads a request
/// with neither <c>Content-Length</c> nor <c>Transfer-Encoding</c> as having an empty body, whatever its method or
/// HTTP version; Kestrel refuses such a POST or PUT (411, or 400 for HTTP/1.0) before any middleware runs. So the
/// first request head of the connection is watched as it streams through (nothing is held back, so Kestrel's own
/// header timeout still applies byte for byte) and, when it is a POST or PUT without either header,
/// <c>Content-Length: 0</c> is inserted before the blank line that ends it — what Go assumes. Later requests on a
/// kept-alive connection pass unchanged (finding their heads would mean following every body's framing); a
/// length-less POST there is refused, with a Kubo JSON error.
/// </summary>
internal sealed class LengthlessPostStream(Stream inner) : Stream
{
    private static readonly byte[] ZeroLength = "Content-Length: 0\r\n"u8.ToArray();
    private const int PrefixLength = 18;

    private readonly byte[] _line = new byte[PrefixLength];
    private int _lineLength;
    private int _lineIndex;
    private bool _atLineStart = true;
    private bool _postOrPut;
    private bool _hasLength;
    private long _seen;
    private bool _headDone;

    /// <summary>The first head has passed (or was too long to watch): reads no longer change anything.</summary>
    public bool HeadDone => _headDone;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_headDone || buffer.Length <= ZeroLength.Length)
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        // Read into the end of the caller's buffer, leaving room for the insertion, then move the bytes to the front.
        var room = buffer[ZeroLength.Length..];
        var read = await inner.ReadAsync(room, cancellationToken);
        return Rewrite(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Moves the <paramref name="read"/> bytes at <c>buffer[ZeroLength.Length..]</c> to the front, inserting the length where the head ends.</summary>
    private int Rewrite(Span<byte> buffer, int read)
    {
        var source = ZeroLength.Length;
        var written = 0;
        for (var i = 0; i < read; i++)
        {
            var b = buffer[source + i];
            if (!_headDone && _atLineStart && b == (byte)'\r' && _lineIndex > 0)
            {
                _headDone = true;
                if (_postOrPut && !_hasLength)
                {
                    // source + i >= written + ZeroLength.Length always holds here, so the insertion never overwrites unread input.
                    ZeroLength.CopyTo(buffer[written..]);
                    written += ZeroLength.Length;
                }
            }
            else if (!_headDone)
            {
                Watch(b);
            }

            buffer[written++] = b;
        }

        return written;
    }

    private void Watch(byte b)
    {
        if (++_seen > HttpLimits.MaxHeaderBytes)
        {
            // Kestrel refuses this head anyway; stop watching.
            _headDone = true;
            return;
        }

        if (b == (byte)'\n')
        {
            var prefix = _line.AsSpan(0, _lineLength);
            if (_lineIndex == 0)
            {
                var space = prefix.IndexOf((byte)' ');
                var method = space < 0 ? prefix : prefix[..space];
                // Kestrel's length check ignores case (HttpMethods.IsPost): "post" needs the length too, to reach its 405.
                _postOrPut = Ascii.EqualsIgnoreCase(method, "POST"u8) || Ascii.EqualsIgnoreCase(method, "PUT"u8);
            }
            else if (StartsWith(prefix, "content-length:"u8) || StartsWith(prefix, "transfer-encoding:"u8))
            {
                _hasLength = true;
            }

            _lineIndex++;
            _lineLength = 0;
            _atLineStart = true;
            return;
        }

        _atLineStart = false;
        if (_lineLength < _line.Length)
        {
            _line[_lineLength++] = b;
        }
    }

    private static bool StartsWith(ReadOnlySpan<byte> line, ReadOnlySpan<byte> prefix) =>
        line.Length >= prefix.Length && Ascii.EqualsIgnoreCase(line[..prefix.Length], prefix);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
