using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CompositeGateway.Hosting;

/// <summary>
/// Kestrel's request limits raised to those of Go's <c>net/http</c>, which Kubo serves on: the request line and
/// headers together may take <c>DefaultMaxHeaderBytes</c> (1 MiB) plus the 4096 bytes of slack Go adds, with no
/// count of header lines, and header values may carry bytes above 0x7F (Go's <c>httpguts.ValidHeaderFieldValue</c>
/// allows obs-text). Kestrel's defaults (8 KiB request line, 32 KiB of headers, 100 headers, ASCII only) would
/// refuse requests a Kubo daemon accepts, e.g. a <c>pin/add</c> whose garbage argument Kubo answers with its JSON error.
/// </summary>
internal static class HttpLimits
{
    /// <summary>Go's <c>http.DefaultMaxHeaderBytes</c> (1 MiB) plus the 4096 bytes <c>net/http</c> allows on top.</summary>
    public const int MaxHeaderBytes = (1 << 20) + 4096;

    /// <summary>Go counts no header lines; the shortest line (<c>a:</c> CRLF) is 4 bytes, so this is never the limit.</summary>
    public const int MaxHeaderCount = MaxHeaderBytes / 4;

    public static void ApplyGoLimits(this KestrelServerOptions kestrel)
    {
        // Kestrel's input buffer must hold a whole head (it refuses to start otherwise); 1 MiB by default.
        kestrel.Limits.MaxRequestBufferSize = 2L * MaxHeaderBytes;
        kestrel.Limits.MaxRequestLineSize = MaxHeaderBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = MaxHeaderBytes;
        kestrel.Limits.MaxRequestHeaderCount = MaxHeaderCount;
        // Latin-1 maps every byte to one character, so no value is refused for its encoding; control characters still are (as in Go).
        kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
    }
}
