using System.Text;
using System.Text.Json;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Hosting;

/// <summary>
/// Requests an HTTP client library would not send, on a raw socket against the real gateway: Go's limits (1 MiB of
/// request line and headers), exact method names, length-less POSTs, bytes above 0x7F, and every refusal Kestrel makes
/// on its own answered with Kubo's JSON error (docs/troubleshooting.md).
/// </summary>
public sealed class RawHttpRefusalTests
{
    private static readonly string Valid = TestEnvironment.NewCid();

    private TestEnvironment _environment = null!;
    private Uri _url = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _environment = await TestEnvironment.StartAsync();
        _url = _environment.Gateway.KuboRpcUrl;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _environment.DisposeAsync();

    private static string Post(string target, string version = "HTTP/1.1", string extraHeaders = "") =>
        $"POST {target} {version}\r\nHost: x\r\nContent-Length: 0\r\n{extraHeaders}\r\n";

    private static void AssertKuboError(RawAnswer answer, int status, string message)
    {
        Assert.That(answer.IsClosed, Is.False, "an answer, not a closed connection");
        Assert.That(answer.Status, Is.EqualTo(status), answer.Body);
        Assert.That(answer.ContentType, Does.StartWith("application/json"));
        var error = JsonDocument.Parse(answer.Body).RootElement;
        Assert.That(error.GetProperty("Message").GetString(), Does.Contain(message));
        Assert.That(error.GetProperty("Code").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(error.GetProperty("Type").GetString(), Is.EqualTo("error"));
    }

    [Test]
    public async Task RequestLine10KB_ReachesTheCommand_KuboInvalidPathError()
    {
        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/pin/add?arg=" + new string('z', 10_000)));

        AssertKuboError(answer, 500, "invalid path \"zzzz");
    }

    [Test]
    public async Task RequestLineNear1MiB_ReachesTheCommand_KuboInvalidPathError()
    {
        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/pin/add?arg=" + new string('z', 1_000_000)));

        AssertKuboError(answer, 500, "invalid path \"zzzz");
    }

    [Test]
    public async Task RequestLineOver1MiB_Refused_Kubo414JsonError()
    {
        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/pin/add?arg=" + new string('z', 1_200_000)));

        AssertKuboError(answer, 414, "request line is limited");
    }

    [Test]
    public async Task HeadersNear1MiBAnd5000Lines_Accepted_CommandRuns()
    {
        var headers = string.Concat(Enumerable.Range(0, 5000).Select(i => $"X-Filler-{i}: {new string('h', 150)}\r\n"));

        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/id", extraHeaders: headers));

        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
    }

    [Test]
    public async Task HeadersOver1MiB_Refused_Kubo431JsonError()
    {
        var headers = string.Concat(Enumerable.Range(0, 8).Select(i => $"X-Big-{i}: {new string('h', 150_000)}\r\n"));

        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/id", extraHeaders: headers));

        AssertKuboError(answer, 431, "request head is limited");
    }

    [TestCase("/api/v0/%2e%2e//id")]
    [TestCase("/api/v0/%2E%2E/%2e%2e/etc/passwd")]
    [TestCase("/api/v0/../../x")]
    [TestCase("/nothing/here")]
    public async Task PathOutsideApiV0_Kubo404JsonError(string target)
    {
        var answer = await RawHttp.SendAsync(_url, Post(target));

        AssertKuboError(answer, 404, "404 page not found");
    }

    [Test]
    public async Task NonAsciiHeaderValue_Accepted_CommandRuns()
    {
        var request = Encoding.Latin1.GetBytes(Post("/api/v0/id", extraHeaders: "X-Name: caf\u00e9 \u00ff\r\n"));

        var answer = await RawHttp.SendAsync(_url, request);

        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
    }

    // Kestrel passes these on once values are read as Latin-1; Go refuses them before any handler. Paths outside
    // /api/v0 and the admin listener show that the refusal comes before routing, on every listener.
    [TestCase("/api/v0/id", "\u0001")]
    [TestCase("/api/v0/pin/add?arg=x", "\u001b[31m")]
    [TestCase("/nothing/here", "\u007f")]
    [TestCase("/api/v0/%2e%2e//id", "\u0008")]
    public async Task ControlCharacterInHeaderValue_RefusedBeforeRouting_Kubo400JsonError(string target, string control)
    {
        var answer = await RawHttp.SendAsync(_url, Encoding.Latin1.GetBytes(Post(target, extraHeaders: $"X-Name: a{control}b\r\n")));

        AssertKuboError(answer, 400, "malformed HTTP request");
    }

    [Test]
    public async Task ControlCharacterInHeaderValue_OnTheAdminListener_Refused()
    {
        var request = Encoding.Latin1.GetBytes("GET /health HTTP/1.1\r\nHost: x\r\nX-Name: a\u0001b\r\n\r\n");

        var answer = await RawHttp.SendAsync(_environment.Gateway.AdminUrl, request);

        AssertKuboError(answer, 400, "malformed HTTP request");
    }

    [Test]
    public async Task TabInHeaderValue_Accepted_CommandRuns()
    {
        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/id", extraHeaders: "X-Name: a\tb\r\n"));

        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
    }

    [Test]
    public async Task NonAsciiHeaderName_Refused_Kubo400JsonError()
    {
        var answer = await RawHttp.SendAsync(_url, Post("/api/v0/id", extraHeaders: "X-N\u00e4me: x\r\n"));

        AssertKuboError(answer, 400, "malformed HTTP request");
    }

    [TestCase("post")]
    [TestCase("Post")]
    [TestCase("pOST")]
    public async Task MethodNotExactlyPost_RunsNothing_Kubo405JsonError(string method)
    {
        var answer = await RawHttp.SendAsync(_url, $"{method} /api/v0/pin/add?arg={Valid} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        AssertKuboError(answer, 405, "Method Not Allowed");
        Assert.That(_environment.Cluster.GetPin(Valid), Is.Null, "nothing pinned");
    }

    [Test]
    public async Task Http10PostWithoutContentLength_AcceptedAsEmptyBody_CommandRuns()
    {
        var answer = await RawHttp.SendAsync(_url, "POST /api/v0/id HTTP/1.0\r\nHost: x\r\n\r\n");

        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
        Assert.That(answer.Body, Does.Contain(_environment.Gateway.PeerId));
    }

    [Test]
    public async Task Http11PostWithoutContentLength_AcceptedAsEmptyBody_CommandRuns()
    {
        var answer = await RawHttp.SendAsync(_url, "POST /api/v0/id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
    }

    [TestCase("POST /api/v0/id HTTP/2.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 505, "HTTP Version Not Supported")]
    [TestCase("POST /api/v0/id HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n", 400, "malformed HTTP request")]
    [TestCase("\u0001\u0002 garbage\r\n\r\n", 400, "malformed HTTP request")]
    [TestCase("POST /api/v0/id HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n", 400, "malformed HTTP request")]
    [TestCase("POST /api/v0/id HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\nContent-Length: 0\r\n\r\n", 400, "malformed HTTP request")]
    public async Task MalformedHttp_Refused_KuboJsonError(string request, int status, string message)
    {
        var answer = await RawHttp.SendAsync(_url, request);

        AssertKuboError(answer, status, message);
    }

    [Test]
    public async Task KeptAliveConnection_SecondRequestMalformed_FirstAnswerIntactSecondKuboJson()
    {
        // The first answer (the application's) must pass untouched; only Kestrel's own refusal after it is rewritten.
        var request = Post("/api/v0/id") + "POST /api/v0/id HTTP/9.9\r\nHost: x\r\n\r\n";
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_url.Host, _url.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var all = new MemoryStream();
        await stream.CopyToAsync(all, timeout.Token);
        var text = Encoding.Latin1.GetString(all.ToArray());
        var second = text.IndexOf("HTTP/1.1 505", StringComparison.Ordinal);
        Assert.That(second, Is.GreaterThan(0), text);
        var first = await RawHttp.ReadAnswerAsync(new MemoryStream(all.ToArray()[..second]), timeout.Token);
        var refusal = await RawHttp.ReadAnswerAsync(new MemoryStream(all.ToArray()[second..]), timeout.Token);

        Assert.That(first.Status, Is.EqualTo(200));
        Assert.That(first.Body, Does.Contain(_environment.Gateway.PeerId));
        AssertKuboError(refusal, 505, "HTTP Version Not Supported");
    }

    [TearDown]
    public async Task AssertAliveAsync()
    {
        var id = await _environment.Gateway.Go.IdAsync();
        Assert.That(id.Error, Is.Null, "the gateway still answers id");
    }
}
