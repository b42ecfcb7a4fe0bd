using System.Net;
using CompositeGateway.Clusters;
using CompositeGateway.KuboRpc;

namespace CompositeGateway.Tests.Clusters;

public sealed class ClusterFailureMessagesTests
{
    private static readonly Uri Url = new("http://127.0.0.1:9094");

    [TestCase(nameof(ClusterFailureKind.Connect), "connection refused", null, "undercluster \"eu\" unreachable: connection refused (http://127.0.0.1:9094)")]
    [TestCase(nameof(ClusterFailureKind.HttpStatus), "not enough peers to allocate CID", 500, "undercluster \"eu\" answered 500 to POST /pins/bafyx: not enough peers to allocate CID")]
    [TestCase(nameof(ClusterFailureKind.Unauthorized), "unauthorized: access denied", 401, "undercluster \"eu\" refused the gateway's credentials (401) for POST /pins/bafyx: unauthorized: access denied")]
    [TestCase(nameof(ClusterFailureKind.StreamBroken), "peer X: deadline", null, "undercluster \"eu\" stream broke during POST /pins/bafyx: peer X: deadline")]
    [TestCase(nameof(ClusterFailureKind.CircuitOpen), "circuit is open", null, "undercluster \"eu\" temporarily unavailable after repeated failures (circuit open; http://127.0.0.1:9094)")]
    public void FromGateway_Failure_HumanMessageAnd500(string kindName, string detail, int? status, string expected)
    {
        var kind = Enum.Parse<ClusterFailureKind>(kindName);
        var failure = new ClusterFailure(kind, "eu", Url, "POST /pins/bafyx", detail) { StatusCode = (HttpStatusCode?)status };

        var kubo = KuboFailure.FromGateway(GatewayFailure.From(failure));

        Assert.That(kubo.Message, Is.EqualTo(expected));
        Assert.That(kubo.StatusCode, Is.EqualTo(StatusCodes.Status500InternalServerError));
        Assert.That(kubo.Code, Is.EqualTo(KuboErrorCode.Normal));
    }

    [Test]
    public void Describe_Timeout_SaysHowLong()
    {
        var failure = new ClusterFailure(ClusterFailureKind.Timeout, "eu", Url, "GET /id", "no response headers in time") { TimeoutAfter = TimeSpan.FromSeconds(30) };

        Assert.That(ClusterFailureMessages.Describe(failure), Is.EqualTo("undercluster \"eu\" timed out after 30s: GET /id (http://127.0.0.1:9094)"));
    }

    [Test]
    public void Describe_BadBody_NamesTheType()
    {
        var failure = new ClusterFailure(ClusterFailureKind.BadBody, "eu", Url, "GET /id", "'t' is invalid") { ExpectedType = "ClusterPeer" };

        Assert.That(ClusterFailureMessages.Describe(failure), Is.EqualTo("undercluster \"eu\" sent an unreadable ClusterPeer for GET /id: 't' is invalid"));
    }

    [TestCase(nameof(ClusterFailureKind.InvalidRequest), null)]
    [TestCase(nameof(ClusterFailureKind.HttpStatus), 400)]
    public void FromGateway_UnderclusterRejectedTheRequest_KindKeptKuboNormal500(string kindName, int? status)
    {
        // The undercluster refusing the gateway's request is not the Kubo caller's mistake: Kubo's run-time errors are
        // ErrNormal (go-ipfs-cmds http/responseemitter.go: only ErrClient is 400). What the undercluster said stays on the failure.
        var kind = Enum.Parse<ClusterFailureKind>(kindName);
        var failure = new ClusterFailure(kind, "eu", Url, "POST /pins/x", "bad") { StatusCode = (HttpStatusCode?)status };

        var gateway = GatewayFailure.From(failure);
        var kubo = KuboFailure.FromGateway(gateway);

        Assert.That((gateway.Kind, gateway.Underclusters, gateway.Cause), Is.EqualTo((GatewayFailureKind.Undercluster, new[] { "eu" }, failure)));
        Assert.That((kubo.StatusCode, kubo.Code), Is.EqualTo((StatusCodes.Status500InternalServerError, KuboErrorCode.Normal)));
    }

    [Test]
    public void Combine_SeveralUnderclusters_NamesEachOnceKeepsSharedKind()
    {
        var eu = GatewayFailure.From(new ClusterFailure(ClusterFailureKind.Connect, "eu", Url, "GET /allocations/x", "refused"));
        var us = GatewayFailure.From(new ClusterFailure(ClusterFailureKind.Timeout, "us", Url, "GET /allocations/x", "slow"));

        var both = GatewayFailure.Combine("cannot unpin x", [eu, us, eu]);
        var mixed = GatewayFailure.Combine("m", [eu, new GatewayFailure("placement", Transient: false)]);

        Assert.That((both.Kind, both.Transient, both.Underclusters), Is.EqualTo((GatewayFailureKind.Undercluster, true, new[] { "eu", "us" })));
        Assert.That((mixed.Kind, mixed.Transient), Is.EqualTo((GatewayFailureKind.Failed, false)));
    }
}
