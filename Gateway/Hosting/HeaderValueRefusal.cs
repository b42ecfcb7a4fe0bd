using CompositeGateway.KuboRpc;

namespace CompositeGateway.Hosting;

/// <summary>
/// Refuses a request whose header values hold control characters, on every listener and before anything else reads the
/// request, as Go's server refuses such a head before any handler runs (<c>httpguts.ValidHeaderFieldValue</c>). Kestrel
/// refuses NUL, CR and LF itself, but with header values read as Latin-1 (<see cref="HttpLimits"/>) it passes the other
/// control characters on. The answer is the one Kestrel's own refusals get on the Kubo listener
/// (<see cref="RejectionAnswer"/>): 400 with Kubo's JSON error.
/// </summary>
internal static class HeaderValueRefusal
{
    public static IApplicationBuilder UseHeaderValueRefusal(this IApplicationBuilder app) =>
        app.Use(next => http => HasControlCharacter(http.Request.Headers)
            ? KuboErrorWriter.WriteAsync(http, new KuboFailure(StatusCodes.Status400BadRequest, KuboErrorCode.Client, RejectionAnswer.MessageFor(StatusCodes.Status400BadRequest)))
            : next(http));

    /// <summary>Control characters other than horizontal tab, which Go allows in a value.</summary>
    internal static bool HasControlCharacter(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            foreach (var value in header.Value)
            {
                if (value is not null && (value.AsSpan().ContainsAnyInRange('\u0000', '\u0008')
                    || value.AsSpan().ContainsAnyInRange('\u000a', '\u001f') || value.Contains('\u007f', StringComparison.Ordinal)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
