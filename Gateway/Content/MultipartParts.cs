using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.Content;

/// <summary>One file part of an upload, read whole into a buffer the reader reuses: valid until the next read.</summary>
internal readonly record struct BlockPart(string? FileName, ReadOnlyMemory<byte> Data, bool IsDirectory, bool TooLarge);

/// <summary>Bad upload input (not multipart, truncated, garbage): the message is for the caller.</summary>
internal sealed class UploadFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads a go-ipfs-files multipart body (what Kubo's commands with file arguments take) one part at a time,
/// never more than one part in memory. A part larger than the caller's limit is not read further: it comes
/// back with <see cref="BlockPart.TooLarge"/> and the upload should be refused.
/// </summary>
internal sealed class MultipartParts
{
    private readonly MultipartReader _reader;
    private readonly CancellationToken _aborted;
    private byte[] _buffer = new byte[64 * 1024];

    private MultipartParts(MultipartReader reader, CancellationToken aborted)
    {
        _reader = reader;
        _aborted = aborted;
    }

    /// <summary>Null when the request is not <c>multipart/form-data</c> (or <c>multipart/mixed</c>) with a boundary.</summary>
    public static MultipartParts? Open(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !(media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || media.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        return string.IsNullOrEmpty(boundary)
            ? null
            : new MultipartParts(new MultipartReader(boundary, request.Body) { BodyLengthLimit = null }, request.HttpContext.RequestAborted);
    }

    /// <summary>The next part, or null at the closing boundary. Throws <see cref="UploadFormatException"/> for a broken body.</summary>
    public async Task<BlockPart?> NextAsync(int limit, CancellationToken cancellationToken)
    {
        try
        {
            var section = await _reader.ReadNextSectionAsync(cancellationToken);
            if (section is null)
            {
                return null;
            }

            var header = UploadPart.Describe(section);
            var fileName = header.FileName;
            var isDirectory = header.Kind == UploadPartKind.Directory;
            var length = 0;
            while (true)
            {
                if (length == _buffer.Length)
                {
                    if (length > limit)
                    {
                        return new BlockPart(fileName, default, isDirectory, TooLarge: true);
                    }

                    Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, (long)limit + 1));
                }

                var read = await section.Body.ReadAsync(_buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return new BlockPart(fileName, default, isDirectory, TooLarge: true);
                }
            }

            return new BlockPart(fileName, _buffer.AsMemory(0, length), isDirectory, TooLarge: false);
        }
        catch (IOException) when (_aborted.IsCancellationRequested)
        {
            // The client went away mid-upload: a cancellation, not bad input.
            throw new OperationCanceledException(_aborted);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            // Kestrel's BadHttpRequestException (a truncated chunked body) is an IOException too.
            throw new UploadFormatException("failed to read the multipart body: " + e.Message, e);
        }
    }
}
