using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompositeGateway.KuboRpc.Wire;
using Microsoft.AspNetCore.Http.Features;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Writes a 200 answer as a sequence of JSON values, each followed by a newline and flushed, the way Kubo's
/// go-ipfs-cmds emitter streams (<c>X-Chunked-Output: 1</c>, chunked transfer). Nothing is buffered beyond one
/// value; headers go out on <see cref="StartAsync"/> or with the first value, except after <see cref="StartUnsent"/>
/// (an answer known in full before it is written), whose values all leave with the end of the request.
/// </summary>
internal sealed class KuboStreamWriter : IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly HttpContext _http;
    private readonly Utf8JsonWriter _json;

    public KuboStreamWriter(HttpContext http)
    {
        _http = http;
        _json = new Utf8JsonWriter(http.Response.BodyWriter, new JsonWriterOptions { Encoder = KuboJsonContext.WireOptions.Encoder });
    }

    /// <summary>For answers written piecewise (the non-streaming <c>pin/ls</c> object).</summary>
    public Utf8JsonWriter Json => _json;

    public bool Started => _http.Response.HasStarted;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var response = _http.Response;
        if (response.HasStarted)
        {
            return;
        }

        SetHeaders();
        await response.StartAsync(cancellationToken);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Sets the 200's headers without sending them, for an answer whose values are all known before the first is
    /// written (<see cref="WriteValue"/>): headers, values and the stream's end then leave in one socket write when the
    /// request ends, rather than one write for the headers, one per value and one for the end.
    /// </summary>
    public void StartUnsent()
    {
        if (!_http.Response.HasStarted)
        {
            SetHeaders();
        }
    }

    public async Task WriteValueAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        WriteValue(value, typeInfo);
        await _http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Writes one value and its newline into the response buffer without sending it: for long listings, where a flush
    /// per value costs a chunk and a socket write each (<see cref="FlushAsync"/> sends them). Call <see cref="StartAsync"/>
    /// or <see cref="StartUnsent"/> first.
    /// </summary>
    public void WriteValue<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        JsonSerializer.Serialize(_json, value, typeInfo);
        _json.Flush();
        _json.Reset();
        _http.Response.BodyWriter.Write(NewLine);
    }

    /// <summary>Commits what <see cref="Json"/> holds and sends it.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        _json.Flush();
        await _http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a piecewise value (<see cref="Json"/>) with the newline Go's encoder writes after every value, without
    /// sending it: <see cref="FlushAsync"/> does, or the end of the request after <see cref="StartUnsent"/>.
    /// </summary>
    public void EndValue()
    {
        _json.Flush();
        _http.Response.BodyWriter.Write(NewLine);
    }

    public void Dispose() => _json.Dispose();

    private void SetHeaders()
    {
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers["X-Chunked-Output"] = "1";
        _http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
