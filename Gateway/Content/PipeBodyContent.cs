using System.IO.Pipelines;
using System.Net;

namespace CompositeGateway.Content;

/// <summary>
/// An upstream request body fed by a pipe: no length (chunked), sent while the producer is still writing, and
/// broken (not ended) when the producer completes the pipe with an exception, so the upstream sees an
/// aborted upload rather than a short but clean one.
/// </summary>
internal sealed class PipeBodyContent(PipeReader reader) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        await reader.CopyToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
