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
/// One part of the go-ipfs-files multipart layout (docs/protocol/cluster-rest.md §5.13): its path (the
/// <c>filename</c>, else the <c>name</c>, URL-unescaped, without leading or trailing slashes) and its kind.
/// </summary>
internal sealed record UploadPart(string Path, UploadPartKind Kind)
{
    public static UploadPart Describe(MultipartSection section)
    {
        var disposition = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var parsed) ? parsed : null;
        var raw = HeaderUtilities.RemoveQuotes(disposition?.FileName ?? default).Value
            ?? HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value ?? "";
        var path = Uri.UnescapeDataString(raw.Replace('+', ' ')).Trim('/');
        var kind = section.ContentType switch
        {
            "application/x-directory" => UploadPartKind.Directory,
            "application/symlink" => UploadPartKind.Symlink,
            _ => UploadPartKind.File,
        };
        return new UploadPart(path, kind);
    }

    /// <summary>Go's <c>path.Join</c> for the relative names the adder prints.</summary>
    public static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "/" + name;
}
