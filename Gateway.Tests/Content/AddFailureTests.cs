using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CompositeGateway.Tests.Functional;

namespace CompositeGateway.Tests.Content;

/// <summary>
/// add's failure journeys on the real wire: bad input answers a Kubo JSON error and stores or pins nothing; an
/// undercluster that is down or dies mid-upload, or a client that leaves mid-upload, never gets a clean answer
/// and leaves nothing pinned.
/// </summary>
public sealed class AddFailureTests
{
    internal const string Boundary = "cg-test-boundary";

    [TestCase("", "text/plain", "hello", 400, 1, "file argument 'path' is required")]
    [TestCase("trickle=true", null, null, 400, 1, "add option \"trickle\" is not supported")]
    [TestCase("chunker=rabin-262144-524288-1048576", null, null, 400, 1, "only size-N")]
    [TestCase("nocopy=true", null, null, 400, 1, "\"nocopy\" is not supported")]
    [TestCase("to-files=/x", null, null, 400, 1, "\"to-files\" is not supported")]
    [TestCase("hash=nope", null, null, 500, 0, "unrecognized hash function: \"nope\"")]
    [TestCase("cid-version=2", null, null, 500, 0, "unknown CID version: 2")]
    [TestCase("", null, "--" + Boundary + "--\r\n", 500, 0, "expected a file argument")]
    [TestCase("only-hash=true", null, "--" + Boundary + "\r\ngarbage without headers end", 500, 0, "error reading the upload")]
    [TestCase("", null, "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: application/octet-stream\r\n\r\ntruncated, no closing boundary", 500, 0, "")]
    public async Task Add_BadInput_KuboErrorAndNothingPinned(string query, string? contentType, string? body, int status, int code, string message)
    {
        await using var environment = await TestEnvironment.StartAsync();
        using var client = environment.Gateway.CreateClient();
        using var content = new StringContent(body ?? Part("a.txt", "hello"), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? $"multipart/form-data; boundary={Boundary}");

        using var response = await client.PostAsync("api/v0/add?" + query, content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(error.GetProperty("Type").GetString(), Is.EqualTo("error"));
            Assert.That(error.GetProperty("Code").GetInt32(), Is.EqualTo(code));
            Assert.That(error.GetProperty("Message").GetString(), Does.Contain(message));
        });
        Assert.That(environment.Cluster.State.Store.Count, Is.Zero, "nothing pinned");
    }

    [Test]
    public async Task Add_UnderclusterDown_KuboErrorNothingPinned()
    {
        await using var environment = await TestEnvironment.StartAsync();
        await environment.Cluster.GoDownAsync();
        using var client = environment.Gateway.CreateClient();
        using var content = Multipart(Part("a.txt", "hello"));

        using var response = await client.PostAsync("api/v0/add", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(500), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("Message").GetString(), Does.Contain(environment.Cluster.Name));
        await environment.Cluster.ComeUpAsync();
        Assert.That(environment.Cluster.State.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Add_UnderclusterDiesMidUpload_NeverACleanAnswerNothingPinned()
    {
        await using var environment = await TestEnvironment.StartAsync();
        using var client = environment.Gateway.CreateClient();
        var body = new SlowBody(firstBytes: 4 << 20, restBytes: 4 << 20);
        using var content = body;

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v0/add?progress=true") { Content = content }, HttpCompletionOption.ResponseHeadersRead);
        await body.FirstSent.WaitAsync(TimeSpan.FromSeconds(30));
        await environment.Cluster.GoDownAsync();
        body.Release();

        Assert.That(await EndsCleanlyAsync(sending), Is.False, "a failed add must never end cleanly");
        await environment.Cluster.ComeUpAsync();
        Assert.That(environment.Cluster.State.Store.Count, Is.Zero);
    }

    [Test]
    public async Task Add_ClientLeavesMidUpload_UpstreamCancelledNothingPinned()
    {
        await using var environment = await TestEnvironment.StartAsync();
        using var client = environment.Gateway.CreateClient();
        var body = new SlowBody(firstBytes: 4 << 20, restBytes: 4 << 20);
        using var content = body;
        using var leave = new CancellationTokenSource();

        var sending = client.PostAsync("api/v0/add", content, leave.Token);
        await body.FirstSent.WaitAsync(TimeSpan.FromSeconds(30));
        await leave.CancelAsync();
        body.Release();
        Assert.That(async () => await sending, Throws.InstanceOf<OperationCanceledException>());

        // The gateway still works, and the abandoned upload left no pin behind.
        using var next = Multipart(Part("b.txt", "after"));
        using var response = await client.PostAsync("api/v0/add", next);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(environment.Cluster.State.Store.Count, Is.EqualTo(1), "only the second add's root");
    }

    internal static async Task<bool> EndsCleanlyAsync(Task<HttpResponseMessage> sending)
    {
        try
        {
            using var response = await sending;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            var text = await response.Content.ReadAsStringAsync();
            return text.Contains("\"Hash\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Part(string name, string text) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{text}\r\n--{Boundary}--\r\n";

    private static StringContent Multipart(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return content;
    }

    /// <summary>A one-file multipart body sent in two halves: the second waits for <see cref="Release"/>.</summary>
    internal sealed class SlowBody : HttpContent
    {
        private readonly int _first;
        private readonly int _rest;
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlowBody(int firstBytes, int restBytes)
        {
            _first = firstBytes;
            _rest = restBytes;
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        public Task FirstSent => _firstSent.Task;

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            var chunk = new byte[64 * 1024];
            new Random(3).NextBytes(chunk);
            for (var sent = 0; sent < _first; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }

            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await _release.Task;
            for (var sent = 0; sent < _rest; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
