using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CompositeGateway.Configuration;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Forwarding;

/// <summary>
/// The gateway (real composition on Kestrel, emulator undercluster) forwarding to <see cref="FakeIpfsDaemon"/> /
/// <see cref="RawIpfsDaemon"/> set as the undercluster's <c>ipfs_api</c>: bytes, streams, cancellation, stream
/// errors, refusals and headers.
/// </summary>
public sealed class ForwardingTests
{
    private static readonly string[] Commands = ["cat", "block/get", "block/stat", "log/tail", "dag/import"];

    private static readonly Dictionary<string, IReadOnlyList<string>> Headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Operator"] = ["eu-gateway"],
        ["Access-Control-Allow-Origin"] = ["https://webui.example.org"],
    };

    private TestEnvironment environment = null!;
    private FakeIpfsDaemon daemon = null!;
    private GatewayUnderTest gateway = null!;
    private HttpClient client = null!;

    [SetUp]
    public async Task SetUp()
    {
        daemon = await FakeIpfsDaemon.StartAsync();
        environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0 });
        gateway = await environment.AddGatewayAsync(o => WithDaemon(o, daemon.Url));
        client = gateway.CreateClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        client.Dispose();
        await environment.DisposeAsync();
        await daemon.DisposeAsync();
    }

    internal static GatewayOptions WithDaemon(GatewayOptions options, Uri? ipfsApi, IReadOnlyList<string>? commands = null) => options with
    {
        Underclusters = [.. options.Underclusters.Select(u => u with { IpfsApi = ipfsApi })],
        KuboRpc = options.KuboRpc with
        {
            Forward = new ForwardOptions { Commands = commands ?? Commands },
            HttpHeaders = Headers,
            ExtractHeadersExtra = [FakeIpfsDaemon.ExtraHeader],
        },
    };

    [Test]
    public async Task Cat_Forwarded_ExactBytesOfTheDaemon()
    {
        const int Size = 5 * 1024 * 1024 + 17;
        using var response = await client.PostAsync($"api/v0/cat?arg=size-{Size}", null);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bytes, Has.Length.EqualTo(Size));
            Assert.That(SHA256.HashData(bytes), Is.EqualTo(SHA256.HashData(FakeIpfsDaemon.Pattern(0, Size))));
            Assert.That(response.Headers.GetValues("X-Stream-Output"), Is.EqualTo(new[] { "1" }));
            Assert.That(response.Headers.GetValues("X-Operator"), Is.EqualTo(new[] { "eu-gateway" }));
        });
    }

    [Test]
    public async Task BlockGet_WithPathArgument_Forwarded()
    {
        using var response = await client.PostAsync("api/v0/block/get/bafkqaaa", null);
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(FakeIpfsDaemon.Block));
    }

    /// <summary>
    /// Forwarded commands leave the pipeline before endpoint routing (Kubo's browser protections and authorization ran):
    /// they are still counted as their command, with their status, and the prefix matches as the route's literal
    /// does (case-insensitively), so the early path changes nothing a caller or an operator sees.
    /// </summary>
    [Test]
    public async Task ForwardedBeforeRouting_CountedUnderItsCommand_PrefixAnyCase()
    {
        using (var response = await client.PostAsync("api/v0/block/get?arg=bafkqaaa", null))
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(FakeIpfsDaemon.Block));
        }

        using (var response = await client.PostAsync("API/V0/block/get?arg=bafkqaaa", null))
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(FakeIpfsDaemon.Block));
            Assert.That(response.Headers.GetValues("X-Operator"), Is.EqualTo(new[] { "eu-gateway" }), "http_headers on the early path");
        }

        using (var refused = await client.PostAsync("api/v0/config/replace", null))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using var admin = new HttpClient { BaseAddress = gateway.AdminUrl };
        var exposition = await admin.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Sample(exposition, "gateway_kubo_requests_total", "command=\"block/get\"", "code=\"200\""), Is.EqualTo(2));
            Assert.That(Exposition.Sample(exposition, "gateway_kubo_request_duration_seconds_count", "command=\"block/get\""), Is.EqualTo(2));
            Assert.That(Exposition.Sample(exposition, "gateway_kubo_requests_total", "command=\"unknown\"", "code=\"403\""), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CommandNotInList_Refused403WithReason()
    {
        using var response = await client.PostAsync("api/v0/config/replace", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(body.GetProperty("Message").GetString(), Does.StartWith("command \"config/replace\" is not answered by the gateway and not forwarded"));
            Assert.That(body.GetProperty("Code").GetInt32(), Is.EqualTo(4));
            Assert.That(body.GetProperty("Type").GetString(), Is.EqualTo("error"));
            Assert.That(response.Headers.GetValues("X-Operator"), Is.EqualTo(new[] { "eu-gateway" }), "http_headers on errors too");
        });
    }

    [Test]
    public async Task NoIpfsApiAnywhere_Refused404WithReason()
    {
        var bare = await environment.AddGatewayAsync(o => WithDaemon(o, null));
        using var response = await bare.CreateClient().PostAsync("api/v0/cat?arg=size-10", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(body.GetProperty("Message").GetString(), Does.StartWith("unknown command \"cat\": not answered by the gateway, and no undercluster has an IPFS daemon").And.Contain("ipfs_api"));
        });
    }

    [Test]
    public async Task EndlessStream_PassesThrough_CallerDisconnectCancelsDaemon()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v0/log/tail");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[65536];
        long read = 0;
        while (read < 2_000_000)
        {
            var n = await stream.ReadAsync(buffer);
            Assert.That(n, Is.Positive, "the endless stream ended");
            read += n;
        }

        Assert.That(daemon.TailCancelled.IsCompleted, Is.False);
        response.Dispose();
        client.Dispose();

        var finished = await Task.WhenAny(daemon.TailCancelled, Task.Delay(TimeSpan.FromSeconds(15)));
        Assert.That(finished, Is.SameAs(daemon.TailCancelled), "the daemon's request was not cancelled when the caller left");
    }

    [Test]
    public async Task RequestBody_StreamedToDaemon_OriginRefererAndBrowserAgentNotPassedOn()
    {
        const int Size = 32 * 1024 * 1024;
        using var content = new StreamContent(new PatternStream(Size));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v0/dag/import") { Content = content };
        request.Headers.Add("Origin", "https://webui.example.org");
        request.Headers.Referrer = new Uri("https://webui.example.org/app");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var echo = JsonDocument.Parse(text).RootElement;
        var headers = echo.GetProperty("Headers");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(echo.GetProperty("Length").GetInt64(), Is.EqualTo(Size));
            Assert.That(headers.TryGetProperty("Origin", out _), Is.False);
            Assert.That(headers.TryGetProperty("Referer", out _), Is.False);
            Assert.That(headers.GetProperty("User-Agent").GetString(), Does.StartWith("composite-gateway/"));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "https://webui.example.org" }),
                "the daemon's own \"*\" is replaced by the gateway's policy");
        });
    }

    [Test]
    public async Task ExtractHeadersExtra_CopiedOntoOwnAnswers()
    {
        using var response = await client.PostAsync("api/v0/id", null);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues(FakeIpfsDaemon.ExtraHeader), Is.EqualTo(new[] { "from-daemon" }));
        });
    }

    [Test]
    public async Task StreamErrorTrailer_AnswerDoesNotEndCleanly()
    {
        await using var raw = new RawIpfsDaemon();
        var other = await environment.AddGatewayAsync(o => WithDaemon(o, raw.Url));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v0/cat?arg=trailer");
        using var response = await other.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(async () => await response.Content.ReadAsByteArrayAsync(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.That(other.Logs.Entries.Any(e => e.Message.Contains("merkledag: not found", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task DaemonCutsStream_AnswerDoesNotEndCleanly()
    {
        await using var raw = new RawIpfsDaemon();
        var other = await environment.AddGatewayAsync(o => WithDaemon(o, raw.Url));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v0/cat?arg=cut");
        using var response = await other.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(async () => await response.Content.ReadAsByteArrayAsync(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
    }

    [Test]
    public async Task DaemonUnreachable_BadGatewayWithReason()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var url = new Uri($"http://{closed.LocalEndpoint}/");
        closed.Stop();
        var other = await environment.AddGatewayAsync(o => WithDaemon(o, url));
        using var response = await other.CreateClient().PostAsync("api/v0/cat?arg=size-1", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(body.GetProperty("Message").GetString(), Does.Contain("IPFS daemon of undercluster lab-0").And.Contain("cannot connect"));
        });
    }

    /// <summary>A request body produced as it is read: nothing of it exists whole in the test either.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill(0x5a);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
