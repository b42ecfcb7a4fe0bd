using System.Net;
using System.Text.Json;
using CompositeGateway.Tests.Forwarding;
using CompositeGateway.Tests.Functional;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>
/// Kubo's browser protections on the real gateway (sharness t0401-api-browser-security's cases, plus the pin/rm that a
/// hostile page must not get through): curl-style requests with Origin, Referer and User-Agent headers.
/// </summary>
public sealed class BrowserPolicyTests
{
    private const string WebUi = "https://webui.example.org";

    private TestEnvironment environment = null!;
    private GatewayUnderTest gateway = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        environment = await TestEnvironment.StartAsync(new TestEnvironmentOptions { Gateways = 0 });
        gateway = await environment.AddGatewayAsync(o => ForwardingTests.WithDaemon(o, null) with
        {
            KuboRpc = o.KuboRpc with
            {
                HttpHeaders = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
                {
                    ["Access-Control-Allow-Origin"] = [WebUi],
                    ["Access-Control-Allow-Methods"] = ["POST"],
                    ["X-Operator"] = ["eu-gateway"],
                },
            },
        });
        client = gateway.CreateClient();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        client.Dispose();
        await environment.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string? origin = null, string? referer = null, string? agent = null, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        if (agent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return await client.SendAsync(request);
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("Message").GetString()!;

    [Test]
    public async Task PinRm_FromForeignOrigin_Refused403AndPinSurvives()
    {
        var cid = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(cid)).Pinned, Is.True);

        using var response = await PostAsync($"api/v0/pin/rm?arg={cid}", origin: "http://evil.example");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await MessageAsync(response), Does.StartWith("403 - Forbidden: Origin \"http://evil.example\" is not allowed"));
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null, "the pin must survive");
            Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        });
    }

    [TestCase("Mozilla/5.0 (X11; Linux x86_64) Chrome/120", "a browser request")]
    public async Task BrowserAgentWithoutOriginOrReferer_Refused403(string agent, string reason)
    {
        var cid = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(cid)).Pinned, Is.True);
        using var response = await PostAsync($"api/v0/pin/rm?arg={cid}", agent: agent);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await MessageAsync(response), Does.Contain(reason));
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null);
        });
    }

    [Test]
    public async Task RefererFromForeignOrigin_Refused403()
    {
        using var response = await PostAsync("api/v0/id", referer: "http://evil.example/page.html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await MessageAsync(response), Does.Contain("Referer \"http://evil.example/page.html\""));
    }

    [TestCase("Go-http-client/1.1")]
    [TestCase(null)]
    [TestCase("Mozilla/5.0 Electron/30")]
    public async Task NonBrowserOrElectronWithoutOrigin_Served(string? agent)
    {
        using var response = await PostAsync("api/v0/id", agent: agent);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ForeignHostWithoutOrigin_ServedLikeKubo_ButForeignHostOriginRefused()
    {
        // DNS rebinding: the page's origin is the attacker's name; same-origin is judged by the listener, not Host.
        using var plain = await PostAsync("api/v0/id", host: "evil.example:5001");
        using var rebound = await PostAsync("api/v0/id", host: "evil.example:5001", origin: "http://evil.example:5001", agent: "Mozilla/5.0");
        Assert.Multiple(() =>
        {
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rebound.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task ConfiguredOrigin_ServedWithCorsHeaders()
    {
        using var response = await PostAsync("api/v0/id", origin: WebUi, agent: "Mozilla/5.0");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { WebUi }));
            Assert.That(response.Headers.GetValues("Access-Control-Expose-Headers").Single(), Does.Contain("X-Stream-Output"));
            Assert.That(response.Headers.GetValues("X-Operator"), Is.EqualTo(new[] { "eu-gateway" }));
        });
    }

    [TestCase("http://127.0.0.1:{0}")]
    [TestCase("http://localhost:{0}")]
    [TestCase("http://[::1]:{0}")]
    [TestCase("chrome-extension://nibjojkomfdiaoajekhjakgkdhaomnch")]
    public async Task ListenerOwnOriginAndCompanion_Served(string pattern)
    {
        using var response = await PostAsync("api/v0/id", origin: string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, gateway.KuboRpcUrl.Port), agent: "Mozilla/5.0");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Preflight_AllowedOrigin_AnsweredFromConfiguredHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/v0/id");
        request.Headers.Add("Origin", WebUi);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await client.SendAsync(request);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { WebUi }));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Methods"), Is.EqualTo(new[] { "POST" }));
            Assert.That(response.Headers.GetValues("X-Operator"), Is.EqualTo(new[] { "eu-gateway" }));
        });
    }

    [TestCase("http://evil.example", "POST")]
    [TestCase(WebUi, "PUT")]
    public async Task Preflight_ForeignOriginOrMethod_NoCorsHeaders(string origin, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/v0/pin/rm");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        using var response = await client.SendAsync(request);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        });
    }

    [Test]
    public async Task Get_FromForeignOrigin_MethodCheckedFirst405()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v0/id");
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task GoPeer_Unaffected()
    {
        var cid = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(cid)).Pinned, Is.True);
        Assert.That(await gateway.Go.UnpinAsync(cid), Is.Null);
    }
}
