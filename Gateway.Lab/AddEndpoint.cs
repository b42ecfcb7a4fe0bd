using CompositeGateway.Lab.Wire;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CompositeGateway.Lab;

/// <summary>
/// <c>POST /add</c> (docs/protocol/cluster-rest.md §5.13; ipfs-cluster <c>adderutils.AddMultipartHTTPHandler</c>): streamed NDJSON
/// output by default (200 at once, errors in the <c>X-Stream-Error</c> trailer, which is only sent on
/// error), or with <c>stream-channels=false</c> one JSON array on success and 500 on failure.
/// </summary>
internal static class AddEndpoint
{
    public static async Task AddAsync(LabCluster cluster, HttpContext context, RouteValues values)
    {
        // Go's Request.MultipartReader accepts multipart/form-data and multipart/mixed with a boundary.
        var contentType = context.Request.ContentType ?? "";
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !(mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase)))
        {
            await LabHttp.WriteErrorAsync(context, 400, "request Content-Type isn't multipart/form-data");
            return;
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            await LabHttp.WriteErrorAsync(context, 400, "no multipart boundary param in Content-Type");
            return;
        }

        var (request, error) = AddQuery.Parse(context.Request.Query, cluster.Time.GetUtcNow());
        if (error is not null)
        {
            await LabHttp.WriteErrorAsync(context, 400, error);
            return;
        }

        var reader = new MultipartReader(boundary, context.Request.Body);
        var response = context.Response;
        response.ContentType = LabHttp.JsonContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers.Connection = "close";
        if (request.StreamChannels)
        {
            await StreamAsync(cluster, context, request, reader);
        }
        else
        {
            await BufferAsync(cluster, context, request, reader);
        }
    }

    private static async Task StreamAsync(LabCluster cluster, HttpContext context, LabAddRequest request, MultipartReader reader)
    {
        context.Response.Headers["X-Chunked-Output"] = "1";
        context.Response.Headers.Trailer = NdjsonStream.TrailerName;
        context.Response.StatusCode = StatusCodes.Status200OK;
        await using var writer = new ChunkedJsonWriter(context);
        // 200 and the headers go out before the upload is read, as in Go.
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        var adder = new LabAdder(cluster, request, o => writer.Append(o, WireJsonContext.Default.AddedOutput), () => writer.FlushAsync(force: true));
        try
        {
            await adder.AddAsync(reader, context.RequestAborted);
            await writer.CompleteAsync(null, null);
        }
        catch (LabAddException e)
        {
            await writer.CompleteAsync(NdjsonStream.TrailerName, e.Message);
        }
    }

    private static async Task BufferAsync(LabCluster cluster, HttpContext context, LabAddRequest request, MultipartReader reader)
    {
        var outputs = new List<AddedOutput>();
        var adder = new LabAdder(cluster, request, outputs.Add, () => ValueTask.CompletedTask);
        try
        {
            await adder.AddAsync(reader, context.RequestAborted);
        }
        catch (LabAddException e)
        {
            await LabHttp.WriteErrorAsync(context, 500, e.Message);
            return;
        }

        if (outputs.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.WriteAsync("null\n", context.RequestAborted);
            return;
        }

        await LabHttp.WriteJsonAsync(context, 200, (IReadOnlyList<AddedOutput>)outputs, WireJsonContext.Default.IReadOnlyListAddedOutput);
    }
}
