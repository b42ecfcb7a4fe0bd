using System.Diagnostics;
using System.Globalization;
using CompositeGateway.Admin;
using CompositeGateway.Configuration;
using CompositeGateway.Telemetry;

namespace CompositeGateway.Tests.Telemetry;

/// <summary>
/// <c>/metrics</c> render time and bytes allocated with 1,000 series (100 commands × 10 status codes in
/// <c>gateway_kubo_requests_total</c>, plus the process and undercluster families a host always has). Printed, never
/// asserted: <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~Telemetry.MetricsRenderBenchmark"</c>.
/// The same file, with <see cref="RenderAsync"/> calling the hand-written exporter, gives the figures before prometheus-net.
/// </summary>
[Explicit("benchmarks: print figures")]
[Category("Benchmarks")]
[NonParallelizable]
public sealed class MetricsRenderBenchmark
{
    private const int Warmup = 50;
    private const int Renders = 500;

    [Test]
    public async Task Render_ThousandSeries_TimeAndAllocatedBytesPerRender()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayAdmin(new GatewayOptions
        {
            Underclusters = [new UnderclusterOptions { Name = "eu-west", Url = new Uri("http://127.0.0.1:9094") }],
        });
        await using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<ProcessMetrics>();
        var metrics = provider.GetRequiredService<GatewayMetrics>();
        for (var command = 0; command < 100; command++)
        {
            for (var code = 0; code < 10; code++)
            {
                metrics.RecordKuboRequest("bench/command" + command.ToString(CultureInfo.InvariantCulture), 200 + code, TimeSpan.FromMilliseconds(command));
            }
        }

        long bytes = 0;
        for (var i = 0; i < Warmup; i++)
        {
            bytes = await RenderAsync(provider);
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Renders; i++)
        {
            await RenderAsync(provider);
        }

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"/metrics render, 1,000 kubo series + host families: {watch.Elapsed.TotalMilliseconds / Renders:F3} ms/render, {allocated / Renders:N0} bytes allocated/render, {bytes:N0} bytes of exposition"));
    }

    // After: prometheus-net renders this host's registry straight into the response stream.
    private static async Task<long> RenderAsync(IServiceProvider provider)
    {
        var stream = new CountingStream();
        await provider.GetRequiredService<GatewayMetrics>().Registry.CollectAndExportAsTextAsync(stream, CancellationToken.None);
        return stream.Length;
    }

    /// <summary>Where the response body would go: counts, keeps nothing.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
