using System.Net.Sockets;
using System.Text;

namespace CompositeGateway.Tests.Support;

/// <summary>An HTTP/1.x answer read off a raw socket: status, headers, body, or none when the server closed without one.</summary>
internal sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static RawAnswer Closed { get; } = new(0, new Dictionary<string, string>(), "");

    /// <summary>The head arrived, then the connection broke before the body ended (a stream aborted after its status).</summary>
    public bool Truncated { get; init; }

    public bool IsClosed => Status == 0;

    /// <summary>What came back does not start with an HTTP/1.x status line (<see cref="Body"/> holds it).</summary>
    public bool IsGarbage => Status < 0;

    public string? ContentType => Headers.TryGetValue("content-type", out var value) ? value : null;
}

/// <summary>
/// Sends bytes no HTTP client library would send (huge request lines, bad header bytes, lowercase methods,
/// HTTP/1.0 without a length) and reads one answer: for requests the gateway's code may never see.
/// </summary>
internal static class RawHttp
{
    public static async Task<RawAnswer> SendAsync(Uri baseUrl, byte[] request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, limit.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, limit.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything sent; the answer is still readable.
        }

        return await ReadAnswerAsync(stream, limit.Token);
    }

    public static Task<RawAnswer> SendAsync(Uri baseUrl, string request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        SendAsync(baseUrl, Encoding.Latin1.GetBytes(request), timeout, cancellationToken);

    /// <summary>Reads one answer: headers, then Content-Length bytes, chunks, or up to the close.</summary>
    public static async Task<RawAnswer> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int headEnd;
        try
        {
            while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return RawAnswer.Closed;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException)
        {
            return RawAnswer.Closed;
        }

        var all = buffer.ToArray();
        var head = Encoding.Latin1.GetString(all, 0, headEnd);
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ');
        if (!statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine.Length < 2
            || !int.TryParse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture, out var status))
        {
            return new RawAnswer(-1, new Dictionary<string, string>(), head);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var body = new MemoryStream();
        body.Write(all, headEnd + 4, all.Length - headEnd - 4);
        try
        {
            return await ReadBodyAsync(stream, status, headers, body, chunk, cancellationToken);
        }
        catch (IOException)
        {
            return new RawAnswer(status, headers, Encoding.UTF8.GetString(body.ToArray())) { Truncated = true };
        }
    }

    private static async Task<RawAnswer> ReadBodyAsync(Stream stream, int status, Dictionary<string, string> headers, MemoryStream body, byte[] chunk, CancellationToken cancellationToken)
    {
        if (headers.TryGetValue("content-length", out var lengthText))
        {
            var length = long.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture);
            while (body.Length < length)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                body.Write(chunk, 0, read);
            }
        }
        else if (status is not (204 or 304) && !(headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            await stream.CopyToAsync(body, cancellationToken);
        }
        else if (status is not (204 or 304))
        {
            // Chunked: read until the terminating chunk; enough for the small answers asserted here.
            while (!EndsWithTerminator(body))
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                body.Write(chunk, 0, read);
            }

            return new RawAnswer(status, headers, Encoding.UTF8.GetString(Dechunk(body.ToArray())));
        }

        return new RawAnswer(status, headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static int IndexOfHeadEnd(MemoryStream buffer) =>
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8);

    private static bool EndsWithTerminator(MemoryStream body) =>
        body.GetBuffer().AsSpan(0, (int)body.Length).EndsWith("0\r\n\r\n"u8);

    private static byte[] Dechunk(byte[] chunked)
    {
        var result = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var size = Convert.ToInt32(Encoding.Latin1.GetString(chunked, at, lineEnd).Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            var start = at + lineEnd + 2;
            result.Write(chunked, start, Math.Min(size, chunked.Length - start));
            at = start + size + 2;
        }

        return result.ToArray();
    }
}
