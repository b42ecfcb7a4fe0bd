using CompositeGateway.Lab.Connector;
using System.Buffers.Binary;
using System.Diagnostics;
using CompositeGateway.Configuration;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Functional.Benchmarks;

/// <summary>
/// <c>block/put</c> of a 1 GiB DAG (4,096 blocks of 256 KiB) in one Go-peer stream through the gateway versus the
/// same blocks as one CAR straight to the emulator's <c>POST /add?format=car</c>; emulator out of process, so this
/// process's working set is the gateway's (plus a client that makes each block on the fly and holds one).
/// <c>dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~BlockPut_OneGiB"</c>.
/// </summary>
public sealed partial class GatewayBenchmarks
{
    private const int BenchBlocks = 4096;
    private const int BenchBlockSize = 256 * 1024;

    [Test]
    public async Task BlockPut_OneGiB_ThroughGatewayVersusCarStraightToEmulator()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cg-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        using var emulator = await ExternalEmulator.StartAsync();
        GatewayUnderTest? gateway = null;
        try
        {
            var total = (double)BenchBlocks * BenchBlockSize;
            using var direct = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var clock = Stopwatch.StartNew();
            using (var car = new MultipartFormDataContent { { new BenchCarContent(), "file", "blocks.car" } })
            using (var response = await direct.PostAsync("add?format=car&no-pin=true&stream-channels=true", car))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.IsSuccessStatusCode && !response.TrailingHeaders.Contains("X-Stream-Error"), Is.True, body);
            }

            var directSeconds = clock.Elapsed.TotalSeconds;

            gateway = await GatewayUnderTest.StartAsync(
                new GatewayOptions
                {
                    Listen = "127.0.0.1:0",
                    AdminListen = "127.0.0.1:0",
                    IdentityFile = Path.Combine(folder, "identity.key"),
                    Underclusters = [new UnderclusterOptions { Name = "lab-0", Url = emulator.BaseAddress }],
                },
                new GoIpfsConnectorOptions(),
                CancellationToken.None);
            using var process = Process.GetCurrentProcess();
            GC.Collect();
            process.Refresh();
            var baseline = process.WorkingSet64;
            var peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                    await Task.Delay(20, CancellationToken.None);
                }
            });
            clock.Restart();
            var put = await gateway.Go.BlockStreamAsync(BenchBlocksAsync(), BenchCid(0, new byte[BenchBlockSize]));
            var gatewaySeconds = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;
            Assert.That(put.Error, Is.Null, put.Error?.Text);
            Assert.That(put.Value!, Has.Count.EqualTo(BenchBlocks));

            var directRate = total / 1048576 / directSeconds;
            var gatewayRate = total / 1048576 / gatewaySeconds;
            TestContext.Out.WriteLine($"CAR straight to the emulator (POST /add?format=car): {directRate:N0} MB/s ({directSeconds:0.0} s for 1 GiB)");
            TestContext.Out.WriteLine($"block/put through the gateway (one Go-peer stream):   {gatewayRate:N0} MB/s ({gatewaySeconds:0.0} s for 1 GiB)");
            TestContext.Out.WriteLine($"gateway / direct throughput: {gatewayRate / directRate:0.00}");
            TestContext.Out.WriteLine($"test process working set: baseline {baseline / 1048576.0:N0} MiB, peak {peak / 1048576.0:N0} MiB (+{(peak - baseline) / 1048576.0:N0} MiB during the 1 GiB stream)");
            TestContext.Out.WriteLine($"emulator working set afterwards: {emulator.WorkingSetBytes / 1048576.0:N0} MiB (it keeps every block in memory)");
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    // Block i: one shared random buffer with i in its first 8 bytes (distinct CIDs, one block in memory at a time).
    private static async IAsyncEnumerable<(Cid Cid, ReadOnlyMemory<byte> Data)> BenchBlocksAsync()
    {
        var block = new byte[BenchBlockSize];
        new Random(1).NextBytes(block);
        for (var i = 0; i < BenchBlocks; i++)
        {
            yield return (BenchCid(i, block), block);
            await Task.Yield();
        }
    }

    private static Cid BenchCid(int index, byte[] block)
    {
        if (index == 0)
        {
            new Random(1).NextBytes(block);
        }

        BinaryPrimitives.WriteInt64BigEndian(block, index);
        return Cid.V1(Multicodec.Raw, Multihash.Sha2_256(block));
    }

    /// <summary>The same blocks as one CARv1, written while it is sent.</summary>
    private sealed class BenchCarContent : HttpContent
    {
        public BenchCarContent() => Headers.ContentType = new("application/octet-stream");

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            CarWriter? writer = null;
            await foreach (var (cid, data) in BenchBlocksAsync().WithCancellation(cancellationToken))
            {
                writer ??= await CarWriter.CreateAsync(stream, [cid], cancellationToken);
                await writer.PutAsync(cid, data, cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
