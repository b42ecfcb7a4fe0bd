using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.Content;

internal enum UploadPartKind
{
    File,
    Directory,
    Symlink,
}

/// <summary>
/// The headers of one part of the go-ipfs-files multipart layout (docs/protocol/cluster-rest.md §5.13), read in this
/// one place for every upload command (<c>add</c>, <c>block/put</c>, <c>dag/put</c>): the <c>filename</c> as sent
/// (<c>filename*</c> first, as Go's <c>mime</c> decodes it into <c>filename</c>), its path (the file name, else the
/// <c>name</c>, URL-unescaped, without leading or trailing slashes) and its kind by media type.
/// </summary>
internal sealed record UploadPart(string Path, UploadPartKind Kind)
{
    /// <summary>The <c>filename</c> parameter, unquoted but not unescaped; null when the part has none.</summary>
    public string? FileName { get; init; }

    public static UploadPart Describe(MultipartSection section)
    {
        var disposition = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var parsed) ? parsed : null;
        var fileName = disposition is null ? null
            : HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
        var raw = fileName ?? HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value ?? "";
        var path = Uri.UnescapeDataString(raw.Replace('+', ' ')).Trim('/');
        var media = MediaTypeHeaderValue.TryParse(section.ContentType, out var type) ? type.MediaType.Value : null;
        var kind = media switch
        {
            _ when "application/x-directory".Equals(media, StringComparison.OrdinalIgnoreCase) => UploadPartKind.Directory,
            _ when "application/symlink".Equals(media, StringComparison.OrdinalIgnoreCase) => UploadPartKind.Symlink,
            _ => UploadPartKind.File,
        };
        return new UploadPart(path, kind) { FileName = fileName };
    }

    /// <summary>Go's <c>path.Join</c> for the relative names the adder prints.</summary>
    public static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "/" + name;
}
