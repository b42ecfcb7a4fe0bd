using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Lab;

public sealed class AuthTests
{
    private static readonly EmulatedClusterOptions Secured = new() { BasicAuth = new Dictionary<string, string> { ["admin"] = "s3cret" } };

    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(LabHarness lab, string path, AuthenticationHeaderValue? auth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = auth;
        var response = await lab.Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task NoCredentials_Answers401WithBothChallenges()
    {
        await using var lab = await LabHarness.StartAsync(Secured);
        var (response, body) = await GetAsync(lab, "/id", null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body, Is.EqualTo("{\"code\":401,\"message\":\"unauthorized: no auth provided\"}\n"));
            Assert.That(response.Headers.WwwAuthenticate.Select(h => h.ToString()), Is.EqualTo(new[]
            {
                "Bearer realm=\"Restricted IPFS Cluster API\"", "Basic realm=\"Restricted IPFS Cluster API\"",
            }));
        });
    }

    [Test]
    public async Task WrongBasic_Answers401AccessDenied()
    {
        await using var lab = await LabHarness.StartAsync(Secured);
        var (response, body) = await GetAsync(lab, "/id", LabHarness.Basic("admin", "nope"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(body, Is.EqualTo("{\"code\":401,\"message\":\"unauthorized: access denied\"}\n"));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"Restricted IPFS Cluster API\""));
    }

    [Test]
    public async Task RightBasic_Passes()
    {
        await using var lab = await LabHarness.StartAsync(Secured);
        var (response, _) = await GetAsync(lab, "/version", LabHarness.Basic("admin", "s3cret"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Token_IssuedForBasicUser_AuthenticatesBearerRequests()
    {
        await using var lab = await LabHarness.StartAsync(Secured);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/token");
        tokenRequest.Headers.Authorization = LabHarness.Basic("admin", "s3cret");
        using var tokenResponse = await lab.Http.SendAsync(tokenRequest);
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();

        var (ok, _) = await GetAsync(lab, "/id", new AuthenticationHeaderValue("Bearer", token));
        var (lowerCase, _) = await GetAsync(lab, "/id", new AuthenticationHeaderValue("bearer", token));
        var (bad, badBody) = await GetAsync(lab, "/id", new AuthenticationHeaderValue("Bearer", token[..^2] + "xx"));

        Assert.Multiple(() =>
        {
            Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(LabAuth.VerifyToken(Secured.BasicAuth!, token, DateTimeOffset.UnixEpoch), Is.EqualTo("admin"));
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(lowerCase.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(badBody, Is.EqualTo("{\"code\":401,\"message\":\"unauthorized: invalid token\"}\n"));
            Assert.That(bad.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer realm=\"Restricted IPFS Cluster API\", error=\"invalid_token\""));
        });
    }

    [Test]
    public async Task Token_NoCredentialsConfigured_Answers401Unauthorized()
    {
        await using var lab = await LabHarness.StartAsync();
        var (response, body) = await lab.PostAsync("/token");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(body, Is.EqualTo("{\"code\":401,\"message\":\"unauthorized\"}\n"));
    }

    [Test]
    public void VerifyToken_SignedWithOtherKeyOrExpired_IsRejected()
    {
        var credentials = new Dictionary<string, string> { ["admin"] = "s3cret" };
        var foreign = LabAuth.IssueToken("admin", "other");

        Assert.That(LabAuth.VerifyToken(credentials, foreign, DateTimeOffset.UnixEpoch), Is.Null);
        Assert.That(LabAuth.VerifyToken(credentials, LabAuth.IssueToken("nobody", "s3cret"), DateTimeOffset.UnixEpoch), Is.Null);
    }

    [Test]
    public async Task ControlEndpoint_IsOutsideAuthentication()
    {
        await using var lab = await LabHarness.StartAsync(Secured);
        var (response, _) = await GetAsync(lab, "/_lab/faults", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task TokenLifetimeAndRequireBearer_ExpiringTokenOnlyBearerPassesRevocationRefuses()
    {
        await using var lab = await LabHarness.StartAsync(Secured with { TokenLifetime = TimeSpan.FromSeconds(30), RequireBearer = true });
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/token");
        tokenRequest.Headers.Authorization = LabHarness.Basic("admin", "s3cret");
        using var tokenResponse = await lab.Http.SendAsync(tokenRequest);
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        var claims = JsonNode.Parse(Convert.FromBase64String(PadBase64(token.Split('.')[1])))!;
        var (basic, basicBody) = await GetAsync(lab, "/id", LabHarness.Basic("admin", "s3cret"));
        var (bearer, _) = await GetAsync(lab, "/id", new AuthenticationHeaderValue("Bearer", token));
        var now = lab.Clock!.GetUtcNow();

        Assert.Multiple(() =>
        {
            Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Basic still gets a token");
            Assert.That(claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>(), Is.EqualTo(30));
            Assert.That(basic.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(basicBody, Does.Contain("require-bearer"));
            Assert.That(bearer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(LabAuth.VerifyToken(Secured.BasicAuth!, token, now.AddSeconds(31)), Is.Null, "expired after its lifetime");
        });

        lab.Cluster.State.Tokens.RevokeAll();
        var (revoked, _) = await GetAsync(lab, "/id", new AuthenticationHeaderValue("Bearer", token));
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static string PadBase64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
