using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.Lab.Wire;

namespace CompositeGateway.Lab;

/// <summary>ipfs-cluster's <c>SendResponse</c> (api/common/api.go): <c>application/json</c>, one JSON document plus a newline.</summary>
internal static class LabHttp
{
    public const string JsonContentType = "application/json";

    /// <summary>
    /// Writes <paramref name="value"/>. If an earlier document was already sent (the 400-then-carry-on
    /// case of docs/protocol/cluster-rest.md §1.2), the status stays and this document is appended, as Go's second <c>WriteHeader</c> is ignored.
    /// </summary>
    public static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        var response = context.Response;
        if (!response.HasStarted)
        {
            response.StatusCode = status;
            response.ContentType = JsonContentType;
        }

        await JsonSerializer.SerializeAsync(response.Body, value, type, context.RequestAborted);
        await response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext context, ClusterError error) =>
        WriteJsonAsync(context, error.Code, error, WireJsonContext.Default.ClusterError);

    public static Task WriteErrorAsync(HttpContext context, int code, string message) =>
        WriteErrorAsync(context, new ClusterError(code, message));

    /// <summary>Success without a body: 204, still with the JSON content type Go sets first.</summary>
    public static void NoContent(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        context.Response.ContentType = JsonContentType;
    }
}
