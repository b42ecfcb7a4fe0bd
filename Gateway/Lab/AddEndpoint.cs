
namespace CompositeGateway.Lab;

/// <summary>
/// <c>POST /add</c> (§5.13). Waits for the UnixFS importer (Ipld); until then only the request
/// checks that come before any import are emulated.
/// </summary>
internal static class AddEndpoint
{
    public static Task AddAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        if (!context.Request.HasFormContentType || !(context.Request.ContentType ?? "").StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return LabHttp.WriteErrorAsync(context, 400, "request Content-Type isn't multipart/form-data");
        }

        return LabHttp.WriteErrorAsync(context, 500, "lab: /add is not emulated yet");
    }
}
