using System.Net.Sockets;
using CompositeGateway.Clusters;
using Microsoft.Extensions.Http;

namespace CompositeGateway.Tests.Clusters;

/// <summary>A bare <see cref="SocketException"/> (not wrapped in HttpRequestException) is a classified failure, never an unexpected crash.</summary>
public sealed class ClusterSocketErrorTests
{
    [TestCase(SocketError.NotConnected, "connection lost")]
    [TestCase(SocketError.ConnectionReset, "connection reset")]
    public async Task Send_BareSocketException_ConnectFailureWithReason(SocketError error, string reason)
    {
        using var harness = new ClusterClientHarness(new Uri("http://127.0.0.1:9"), configure: services =>
            services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(new ThrowingHandler(error)))));

        var result = await harness.Client.GetAllocationAsync(CompositeGateway.Ipld.Cid.Parse("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"), CancellationToken.None);

        Assert.That(result.Failure, Is.Not.Null);
        Assert.That(result.Failure!.Kind, Is.EqualTo(ClusterFailureKind.Connect));
        Assert.That(result.Failure.Detail, Is.EqualTo(reason));
    }

    private sealed class ThrowingHandler(SocketError error) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new SocketException((int)error);
    }
}
