using CompositeGateway.Configuration;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional.Security;

/// <summary>
/// <c>auth.mode: jwt</c> against the emulator's <c>POST /token</c> (docs/protocol/cluster-rest.md §1.1): the gateway asks
/// a token with Basic once, then sends only Bearer (the emulator's <c>RequireBearer</c> refuses Basic elsewhere), renews
/// before expiry and once on a 401.
/// </summary>
public sealed class OutboundJwtTests
{
    private const string User = "gateway";
    private const string Password = "jwt-password-7f3a";

    [Test]
    public async Task Jwt_TokenExpiresMidRun_RenewedAndEveryOtherCallBearer()
    {
        await using var environment = await StartAsync(TimeSpan.FromSeconds(2));
        var gateway = await environment.AddGatewayAsync(WithJwt(Password));

        // Pins for 5 s: two and a half token lifetimes.
        var pinned = new List<string>();
        var until = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < until)
        {
            var cid = TestEnvironment.NewCid();
            var pin = await gateway.Go.PinAsync(cid);
            Assert.That(pin.Error, Is.Null, $"pin {pinned.Count + 1}");
            pinned.Add(cid);
            await Task.Delay(100);
        }

        var requests = environment.Cluster.ReceivedRequests;
        var tokens = requests.Where(r => r is { Method: "POST", Target: "/token" }).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pinned.Select(environment.Cluster.GetPin), Has.None.Null);
            Assert.That(environment.Cluster.State.Tokens.Issued, Is.InRange(3, 8), "renewed as each 2 s token neared its end, not per call");
            Assert.That(tokens.Select(r => r.AuthorizationScheme), Has.All.EqualTo("Basic"));
            Assert.That(requests.Except(tokens).Select(r => r.AuthorizationScheme), Has.All.EqualTo("Bearer"));
            Assert.That(gateway.Logs.Entries.Where(e => e.Level >= LogLevel.Warning && (e.Category.StartsWith("CompositeGateway.Clusters", StringComparison.Ordinal) || e.Category.StartsWith("CompositeGateway.Underclusters", StringComparison.Ordinal))),
                Is.Empty, "no undercluster call failed on an expired token");
        });
    }

    [Test]
    public async Task Jwt_TokensRevoked_OneRenewalThenTheCallSucceeds()
    {
        await using var environment = await StartAsync(tokenLifetime: null);
        var gateway = await environment.AddGatewayAsync(WithJwt(Password));
        Assert.That((await gateway.Go.PinAsync(TestEnvironment.NewCid())).Error, Is.Null);
        Assert.That(environment.Cluster.State.Tokens.Issued, Is.EqualTo(1), "ipfs-cluster's tokens never expire: one is enough");

        environment.Cluster.State.Tokens.RevokeAll();
        var cid = TestEnvironment.NewCid();
        var pins = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => gateway.Go.PinAsync(cid)));

        Assert.Multiple(() =>
        {
            Assert.That(pins.Select(p => p.Error), Has.All.Null);
            Assert.That(environment.Cluster.GetPin(cid), Is.Not.Null);
            Assert.That(environment.Cluster.State.Tokens.Issued, Is.EqualTo(2), "concurrent 401s share one renewal");
        });
    }

    [Test]
    public async Task Jwt_WrongPassword_KuboErrorNamesTheRefusalWithoutTheSecret()
    {
        await using var environment = await StartAsync(tokenLifetime: null);
        const string Wrong = "not-the-password-91c2";
        var gateway = await environment.AddGatewayAsync(WithJwt(Wrong));

        var pin = await gateway.Go.PinAsync(TestEnvironment.NewCid());

        Assert.That(pin.Error, Is.Not.Null);
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(User + ":" + Wrong));
        Assert.Multiple(() =>
        {
            Assert.That(pin.Error!.Text, Does.Contain("401").Or.Contain("unauthorized"));
            Assert.That(pin.Error.Text, Does.Not.Contain(Wrong).And.Not.Contain(basic));
            Assert.That(gateway.Logs.Entries.Where(e => e.EventId.Id == 1241).Select(e => e.Message),
                Has.Some.Contain("lab-0").And.Contain("401"));
            Assert.That(gateway.Logs.Entries.Select(e => e.Message), Has.None.Contain(Wrong).And.None.Contain(basic));
            Assert.That(environment.Cluster.State.Tokens.Issued, Is.Zero);
        });
    }

    internal static Func<GatewayOptions, GatewayOptions> WithJwt(string password) => options => options with
    {
        Underclusters = [.. options.Underclusters.Select(u => u with
        {
            Auth = new ClusterAuthOptions { Mode = ClusterAuthMode.Jwt, Username = User, Password = password, PasswordSource = "test" },
        })],
    };

    private static Task<TestEnvironment> StartAsync(TimeSpan? tokenLifetime) => TestEnvironment.StartAsync(new TestEnvironmentOptions
    {
        Gateways = 0,
        Cluster = new EmulatedClusterOptions
        {
            BasicAuth = new Dictionary<string, string> { [User] = Password },
            TokenLifetime = tokenLifetime,
            RequireBearer = true,
        },
    });
}
