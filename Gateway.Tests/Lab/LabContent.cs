using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Lab;

/// <summary>Content for lab tests: a UnixFS DAG built in memory, and CARs of all or part of it posted to <c>/add</c>.</summary>
internal sealed class LabContent
{
    private LabContent(Cid root, byte[] bytes, MemoryBlockStore blocks)
    {
        Root = root;
        Bytes = bytes;
        Blocks = blocks;
    }

    public Cid Root { get; }

    public byte[] Bytes { get; }

    public MemoryBlockStore Blocks { get; }

    /// <summary>Every block except the root.</summary>
    public IReadOnlyList<Cid> NonRoot => [.. Blocks.Cids.Where(c => !c.Equals(Root))];

    public static async Task<LabContent> FileAsync(int length, int chunkSize = 1024, int cidVersion = 1, bool rawLeaves = true)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)((i * 7) % 251)).ToArray();
        var blocks = new MemoryBlockStore();
        var entry = await new UnixFsImporter(blocks, new UnixFsImportOptions { CidVersion = cidVersion, ChunkSize = chunkSize, RawLeaves = rawLeaves })
            .ImportBytesAsync(bytes, CancellationToken.None);
        return new LabContent(entry.Cid, bytes, blocks);
    }

    /// <summary>A CARv1 with <paramref name="root"/> as its single root and the given blocks (default: all).</summary>
    public async Task<byte[]> CarAsync(IEnumerable<Cid>? only = null, Cid? root = null)
    {
        using var car = new MemoryStream();
        var writer = await CarWriter.CreateAsync(car, [root ?? Root], CancellationToken.None);
        foreach (var cid in only ?? Blocks.Cids)
        {
            Blocks.TryGet(cid, out var block);
            await writer.PutAsync(cid, block, CancellationToken.None);
        }

        return car.ToArray();
    }

    /// <summary>POST /add?format=car&amp;… with <paramref name="car"/>; returns the NDJSON items and the stream error trailer.</summary>
    public static async Task<(List<JsonObject> Items, string[] Trailer)> PostCarAsync(HttpClient http, byte[] car, string query)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(car);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "upload.car");
        return await PostAsync(http, "/add?format=car&" + query, form);
    }

    /// <summary>POST /add?… with one file <paramref name="name"/>.</summary>
    public static async Task<(List<JsonObject> Items, string[] Trailer)> PostFileAsync(HttpClient http, string name, byte[] content, string query)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", name);
        return await PostAsync(http, "/add?" + query, form);
    }

    private static async Task<(List<JsonObject> Items, string[] Trailer)> PostAsync(HttpClient http, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        var items = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var trailer = response.TrailingHeaders.TryGetValues("X-Stream-Error", out var values) ? values.ToArray() : [];
        return (items, trailer);
    }
}
