namespace CompositeGateway.Tests.Ipld;

/// <summary>Deterministic pseudo-random bytes (xorshift64*), reproducible in any language.</summary>
internal static class TestData
{
    public static byte[] Bytes(int length, ulong seed = 0x9E3779B97F4A7C15)
    {
        var bytes = new byte[length];
        Fill(bytes, seed);
        return bytes;
    }

    public static void Fill(Span<byte> destination, ulong seed)
    {
        var state = seed;
        for (var i = 0; i < destination.Length; i += 8)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            var value = state * 0x2545F4914F6CDD1DUL;
            for (var b = 0; b < 8 && i + b < destination.Length; b++)
            {
                destination[i + b] = (byte)(value >> (8 * b));
            }
        }
    }

    /// <summary>A stream of <paramref name="length"/> pseudo-random bytes produced on the fly.</summary>
    public static Stream Stream(long length, ulong seed = 0x9E3779B97F4A7C15) => new GeneratedStream(length, seed);

    private sealed class GeneratedStream(long length, ulong seed) : Stream
    {
        private readonly byte[] _block = Bytes(1 << 20, seed);
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            // Repeats a 1 MiB block with the position mixed into each copy, so chunks differ.
            var n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n;)
            {
                var at = (int)(_position % _block.Length);
                var run = Math.Min(n - i, _block.Length - at);
                _block.AsSpan(at, run).CopyTo(buffer.Slice(i, run));
                buffer[i] ^= (byte)(_position / _block.Length);
                i += run;
                _position += run;
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
