using System.Diagnostics;
using System.Globalization;
using System.Net;
using CompositeGateway.Clusters;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;
using Refit;

namespace CompositeGateway.Tests.Clusters;

/// <summary>
/// What one <c>GET /pins?local=false&amp;cids=…</c> status batch (100 CIDs, ~6 KiB, as the full listing sends 10,000 of them
/// per million pins) costs on the client side before the socket, three ways, against a handler that answers at once:
/// the request built by hand as before the Refit move (<c>new HttpRequestMessage(GET, new Uri(base + "/pins?" + query))</c>
/// through an <c>HttpClient</c>), the generated Refit method alone, and the Refit method behind the product's own
/// registration (<see cref="ClusterClientRegistration.AddClusterClients"/>: the resilience handler included). Printed,
/// never asserted for speed (run in Release):
/// <c>dotnet test Gateway.Tests -c Release --no-build --filter "FullyQualifiedName~StatusBatchRequestBenchmark" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("benchmark: prints figures")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class StatusBatchRequestBenchmark
{
    private const int Calls = 10_000;
    private const int Warmup = 1_000;
    private const int Rounds = 3;
    private static readonly Uri Base = new("http://127.0.0.1:9094/");

    [Test]
    public async Task StatusBatch_HandBuiltVersusRefitVersusRefitWithResilience()
    {
        var batch = string.Join(',', Enumerable.Range(0, 100).Select(i => "bafkreig" + i.ToString("D51", CultureInfo.InvariantCulture)));
        var expected = Base + "pins?local=false&cids=" + batch;

        var handBuiltHandler = new InstantHandler();
        using var handBuilt = new HttpClient(handBuiltHandler) { BaseAddress = Base };

        var refitHandler = new InstantHandler();
        var services = new ServiceCollection();
        services.AddKeyedRefitGeneratedClient<IClusterRestApi>("refit", ClusterJsonContext.Default, _ => new RefitSettings(), "refit-only", allowReflectionFallback: false)
            .ConfigureHttpClient(http => http.BaseAddress = Base)
            .ConfigurePrimaryHttpMessageHandler(() => refitHandler);
        await using var refitProvider = services.BuildServiceProvider();
        var refit = refitProvider.GetRequiredKeyedService<IClusterRestApi>("refit");

        var productHandler = new InstantHandler();
        var options = new GatewayOptions { Underclusters = [new UnderclusterOptions { Name = "bench", Url = Base }] };
        var product = new ServiceCollection().AddClusterClients(options);
        product.AddHttpClient(ClusterClientRegistration.HttpClientName("bench")).ConfigurePrimaryHttpMessageHandler(() => productHandler);
        await using var productProvider = product.BuildServiceProvider();
        var withResilience = productProvider.GetRequiredKeyedService<IClusterRestApi>("bench");

        var sides = new (string Name, InstantHandler Handler, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("hand-built HttpRequestMessage (7b9556c)", handBuiltHandler, () => handBuilt.SendAsync(
                new HttpRequestMessage(HttpMethod.Get, new Uri(Base + "pins?local=false&cids=" + batch)), HttpCompletionOption.ResponseHeadersRead, CancellationToken.None)),
            ("Refit GetStatusOfAsync, no handlers", refitHandler, () => refit.GetStatusOfAsync("false", null, batch, CancellationToken.None)),
            ("Refit GetStatusOfAsync + resilience", productHandler, () => withResilience.GetStatusOfAsync("false", null, batch, CancellationToken.None)),
        };

        foreach (var side in sides)
        {
            await RunAsync(side.Send, Warmup);
            Assert.That(side.Handler.LastUri, Is.EqualTo(expected), side.Name + " must send the same request target");
        }

        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var side in sides)
            {
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                await RunAsync(side.Send, Calls);
                clock.Stop();
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                await TestContext.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round}, {side.Name}: {clock.Elapsed.TotalMicroseconds / Calls:0.0} µs/batch, {allocated / (double)Calls:N0} B/batch ({Calls:N0} batches of {batch.Length:N0} chars: {clock.Elapsed.TotalMilliseconds:N0} ms)"));
            }
        }
    }

    private static async Task RunAsync(Func<Task<HttpResponseMessage>> send, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await send();
        }
    }

    /// <summary>Answers every request at once with an empty 200, keeping the last request target.</summary>
    private sealed class InstantHandler : HttpMessageHandler
    {
        public string? LastUri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri?.AbsoluteUri;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent([]) });
        }
    }
}
