using System.Net;
using CompositeGateway.Clusters;

namespace CompositeGateway.Tests.Clusters;

public sealed class ClusterFailureMessagesTests
{
    private static readonly Uri Url = new("http://127.0.0.1:9094");

    [TestCase(nameof(ClusterFailureKind.Connect), "connection refused", null, "undercluster \"eu\" unreachable: connection refused (http://127.0.0.1:9094)")]
    [TestCase(nameof(ClusterFailureKind.HttpStatus), "not enough peers to allocate CID", 500, "undercluster \"eu\" answered 500 to POST /pins/bafyx: not enough peers to allocate CID")]
    [TestCase(nameof(ClusterFailureKind.Unauthorized), "unauthorized: access denied", 401, "undercluster \"eu\" refused the gateway's credentials (401) for POST /pins/bafyx: unauthorized: access denied")]
    [TestCase(nameof(ClusterFailureKind.StreamBroken), "peer X: deadline", null, "undercluster \"eu\" stream broke during POST /pins/bafyx: peer X: deadline")]
    [TestCase(nameof(ClusterFailureKind.CircuitOpen), "circuit is open", null, "undercluster \"eu\" temporarily unavailable after repeated failures (circuit open; http://127.0.0.1:9094)")]
    public void ToKubo_Failure_HumanMessageAnd500(string kindName, string detail, int? status, string expected)
    {
        var kind = Enum.Parse<ClusterFailureKind>(kindName);
        var failure = new ClusterFailure(kind, "eu", Url, "POST /pins/bafyx", detail) { StatusCode = (HttpStatusCode?)status };

        var kubo = ClusterFailureMessages.ToKubo(failure);

        Assert.That(kubo.Message, Is.EqualTo(expected));
        Assert.That(kubo.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
    }

    [Test]
    public void ToKubo_Timeout_SaysHowLong()
    {
        var failure = new ClusterFailure(ClusterFailureKind.Timeout, "eu", Url, "GET /id", "no response headers in time") { TimeoutAfter = TimeSpan.FromSeconds(30) };

        Assert.That(ClusterFailureMessages.ToKubo(failure).Message, Is.EqualTo("undercluster \"eu\" timed out after 30s: GET /id (http://127.0.0.1:9094)"));
    }

    [Test]
    public void ToKubo_BadBody_NamesTheType()
    {
        var failure = new ClusterFailure(ClusterFailureKind.BadBody, "eu", Url, "GET /id", "'t' is invalid") { ExpectedType = "ClusterPeer" };

        Assert.That(ClusterFailureMessages.ToKubo(failure).Message, Is.EqualTo("undercluster \"eu\" sent an unreadable ClusterPeer for GET /id: 't' is invalid"));
    }

    [TestCase(nameof(ClusterFailureKind.InvalidRequest), null)]
    [TestCase(nameof(ClusterFailureKind.HttpStatus), 400)]
    public void ToKubo_RequestWasWrong_400(string kindName, int? status)
    {
        var kind = Enum.Parse<ClusterFailureKind>(kindName);
        var failure = new ClusterFailure(kind, "eu", Url, "POST /pins/x", "bad") { StatusCode = (HttpStatusCode?)status };

        Assert.That(ClusterFailureMessages.ToKubo(failure).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
