using CompositeGateway.Lab.Connector;
using System.Net;
using System.Text.Json;
using CompositeGateway.Lab;

namespace CompositeGateway.Tests.Functional;

/// <summary>
/// Requests no Go peer sends, against the real gateway and emulator: each must get Kubo's JSON error form
/// (<c>{"Message","Code","Type":"error"}</c>, docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1), pin nothing, and leave the
/// gateway serving (the next <c>id</c> succeeds).
/// </summary>
public sealed class BadInputTests
{
    private static readonly string Valid = TestEnvironment.NewCid();

    private TestEnvironment _environment = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _environment = await TestEnvironment.StartAsync();
        _client = _environment.Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _environment.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> BadRequests()
    {
        var huge = new string('z', 6000);
        TestCaseData Case(string method, string pathAndQuery, int status, string message, string name) =>
            new TestCaseData(method, pathAndQuery, status, message).SetName("BadInput_" + name + "_KuboJsonErrorAndGatewayAlive");

        yield return Case("POST", "pin/add?arg=not-a-cid&recursive=true&progress=true", 500, "invalid path \"not-a-cid\"", "GarbageCidPinAdd");
        yield return Case("POST", "pin/ls?stream=true&arg=Qm!!!&type=recursive", 500, "invalid path \"Qm!!!\"", "GarbageCidPinLs");
        yield return Case("POST", "pin/rm?arg=bafy%00zz", 500, "invalid path", "GarbageCidPinRm");
        yield return Case("POST", "pin/update?arg=junk&arg=" + Valid + "&unpin=false", 500, "invalid path \"junk\"", "GarbageCidPinUpdate");
        yield return Case("POST", "pin/add?arg=/ipns/example.org&progress=true", 500, "/ipns", "IpnsPath");
        yield return Case("POST", "pin/add?arg=" + huge + "&progress=true", 500, "invalid path \"zzzz", "HugeArgument");
        yield return Case("POST", "pin/rm?" + string.Join('&', Enumerable.Repeat("arg=x", 400)), 500, "invalid path \"x\"", "ManyArguments");
        yield return Case("POST", "pin/add?progress=true", 400, "argument \"ipfs-path\" is required", "MissingArgumentPinAdd");
        yield return Case("POST", "pin/rm", 400, "argument \"ipfs-path\" is required", "MissingArgumentPinRm");
        yield return Case("POST", "pin/update?arg=" + Valid, 400, "is required", "MissingSecondArgumentPinUpdate");
        yield return Case("POST", "pin/add?arg=" + Valid + "&recursive=maybe", 400, "could not convert value \"maybe\"", "BadBoolOption");
        yield return Case("POST", "pin/ls?type=sideways", 500, "invalid type 'sideways'", "BadTypeOption");
        yield return Case("POST", "pin/add?arg=" + Valid + "&progress=true&progress=false", 400, "only a single value", "RepeatedOption");
        yield return Case("POST", "pin/frobnicate?arg=" + Valid, 404, "unknown command \"pin/frobnicate\"", "UnknownCommand");
        yield return Case("GET", "id", 405, "Method Not Allowed", "GetMethod");
        yield return Case("PUT", "pin/add?arg=" + Valid, 405, "Method Not Allowed", "PutMethod");
        yield return Case("DELETE", "pin/rm?arg=" + Valid, 405, "Method Not Allowed", "DeleteMethod");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task BadRequest_Sent_KuboJsonErrorAndGatewayAlive(string method, string pathAndQuery, int status, string message)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "api/v0/" + pathAndQuery);
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var error = JsonDocument.Parse(body).RootElement;
        Assert.That(error.GetProperty("Message").GetString(), Does.Contain(message));
        Assert.That(error.GetProperty("Code").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(error.GetProperty("Type").GetString(), Is.EqualTo("error"));
        Assert.That(error.GetProperty("Message").GetString()!.Length, Is.LessThan(1024), "arguments are not echoed whole");
        await AssertAliveAsync();
    }

    [Test]
    public async Task RequestLine40KB_LikeKubo_ReachesTheCommandAndGetsItsJsonError()
    {
        // Kubo (Go's net/http) reads request lines and headers up to 1 MiB; so does the gateway, where Kestrel's
        // default 8 KiB once answered an empty 414 (docs/configuration.md, request limits).
        using var response = await _client.PostAsync("api/v0/pin/add?arg=" + new string('z', 40_000), null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(500), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("Message").GetString(), Does.StartWith("invalid path \"zzzz"));
        await AssertAliveAsync();
    }

    [Test]
    public async Task GoPeerShape_GarbageCid_PeerSeesAnErrorNeverNotPinnedOrPinned()
    {
        var go = _environment.Gateway.Go;

        var status = await go.PinLsCidAsync("not-a-cid");
        var pin = await go.PinAsync("not-a-cid");
        var unpin = await go.UnpinAsync("not-a-cid");

        Assert.That(status.Status, Is.EqualTo(IpfsPinStatus.Error));
        Assert.That(pin.Pinned, Is.False);
        Assert.That(unpin, Is.Not.Null, "an invalid path is an unpin error, not 'already unpinned'");
        await AssertAliveAsync();
    }

    [Test]
    public async Task AbortedPinAdd_ClientGoesAwayMidStream_GatewayAliveAndPinStillOwned()
    {
        var cid = TestEnvironment.NewCid();
        _environment.Cluster.Faults.Merge(new LabFaults { SlowPins = new Dictionary<string, TimeSpan> { [cid] = TimeSpan.FromMinutes(5) } });
        using (var cancel = new CancellationTokenSource())
        {
            using var response = await _environment.Gateway.Go.SendAsync($"pin/add?arg={cid}&recursive=true&progress=true", cancel.Token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await cancel.CancelAsync();
        }

        await AssertAliveAsync();
        Assert.That(_environment.Cluster.GetPin(cid)?.Metadata, Does.ContainKey(_environment.Gateway.OwnerKey), "the undercluster pin stays; the peer retries at its next recover");
    }

    private async Task AssertAliveAsync()
    {
        var id = await _environment.Gateway.Go.IdAsync();
        Assert.That(id.Error, Is.Null, "the gateway still answers id");
        Assert.That(_environment.Cluster.State.Store.Count, Is.LessThanOrEqualTo(1), "nothing pinned by bad requests");
    }
}
