using System.Net;

namespace CompositeGateway.Tests.Lab;

public sealed class RoutingTests
{
    [TestCase("GET", "/pins/")]
    [TestCase("POST", "/pins/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy/?name=x")]
    [TestCase("GET", "/id/")]
    public async Task TrailingSlash_Redirects307WithoutIt(string method, string path)
    {
        await using var lab = await LabHarness.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = lab.Cluster.BaseAddress };
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var slash = path.IndexOf("/?", StringComparison.Ordinal) is var i and >= 0 ? path.Remove(i, 1) : path.TrimEnd('/');
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(slash));
    }

    [TestCase("/nothing")]
    [TestCase("/pins/x/y/z")]
    [TestCase("/monitor")]
    public async Task UnknownPath_Answers404NotFoundJson(string path)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Is.EqualTo("{\"code\":404,\"message\":\"not found\"}\n"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }

    [TestCase("PUT", "/pins")]
    [TestCase("DELETE", "/id")]
    [TestCase("GET", "/add")]
    [TestCase("GET", "/pins/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")]
    [TestCase("GET", "/token")]
    public async Task KnownPathWrongMethod_Answers405Empty(string method, string path)
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.SendAsync(new HttpMethod(method), path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(body, Is.Empty);
    }

    [Test]
    public async Task PinsRecover_GetMatchesStatusRoute_Answers400BadCid()
    {
        // GET /pins/recover is GET /pins/{hash} with hash "recover", as in gorilla/mux.
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.GetAsync("/pins/recover");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Does.Contain("error decoding Cid: "));
    }
}
