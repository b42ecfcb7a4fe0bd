using System.Globalization;
using System.Text;
using System.Text.Json;
using CompositeGateway.KuboRpc;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.Hosting;

/// <summary>
/// Recognises Kestrel's own refusal (<c>HTTP/1.x 4xx|5xx</c>, <c>Content-Length: 0</c>, <c>Connection: close</c>, the
/// whole head in one write) and builds the same answer with a Kubo JSON error body. Kestrel writes header names in
/// this exact case, so the match is exact; anything else is not a refusal of Kestrel's and is left alone.
/// </summary>
internal static class RejectionAnswer
{
    private const string EmptyLength = "\r\nContent-Length: 0\r\n";
    private const string Close = "\r\nConnection: close\r\n";
    private const int MaxHeadLength = 1024;

    public static bool TryRewrite(ReadOnlySpan<byte> written, out byte[] answer)
    {
        answer = [];
        if (written.Length is < 20 or > MaxHeadLength
            || !(written.StartsWith("HTTP/1.1 "u8) || written.StartsWith("HTTP/1.0 "u8))
            || !written.EndsWith("\r\n\r\n"u8)
            || written[9] is not ((byte)'4' or (byte)'5'))
        {
            return false;
        }

        var head = Encoding.Latin1.GetString(written);
        if (!int.TryParse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            || !head.Contains(EmptyLength, StringComparison.Ordinal)
            || !head.Contains(Close, StringComparison.Ordinal))
        {
            return false;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new KuboErrorBody(MessageFor(status), (int)KuboErrorCode.Client), KuboJsonContext.Wire.KuboErrorBody);
        var rewritten = head[..^2].Replace(
            EmptyLength,
            $"\r\nContent-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n",
            StringComparison.Ordinal) + "\r\n";
        answer = [.. Encoding.Latin1.GetBytes(rewritten), .. body];
        return true;
    }

    /// <summary>What Kestrel refused, by the status it chose (its reason is only in its own debug log).</summary>
    internal static string MessageFor(int status) => status switch
    {
        400 => "400 Bad Request: malformed HTTP request (request line, header or body framing)",
        408 => "408 Request Timeout: the request head did not arrive in time",
        411 => "411 Length Required: a POST needs Content-Length or Transfer-Encoding",
        413 => "413 Request Entity Too Large",
        414 => $"414 Request URI Too Long: the request line is limited to {HttpLimits.MaxHeaderBytes} bytes",
        431 => $"431 Request Header Fields Too Large: the request head is limited to {HttpLimits.MaxHeaderBytes} bytes",
        505 => "505 HTTP Version Not Supported",
        _ => $"{status.ToString(CultureInfo.InvariantCulture)}: request refused by the HTTP server",
    };
}
