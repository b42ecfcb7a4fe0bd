using System.Diagnostics;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.Ipld;

/// <summary>
/// Prints import throughput and peak managed heap for a 256 MiB file (no assertion on time).
/// Run: dotnet test Gateway.Tests -c Release --filter "FullyQualifiedName~ImportBenchmark" --logger "console;verbosity=detailed".
/// </summary>
[Explicit("benchmark: prints figures, asserts nothing about time")]
public sealed class ImportBenchmark
{
    private const long Size = 256L * 1024 * 1024;

    [TestCase(0)]
    [TestCase(1)]
    public async Task ImportFileAsync_256MiB_PrintsThroughputAndPeakMemory(int cidVersion)
    {
        var importer = new UnixFsImporter(NullBlockSink.Instance, new UnixFsImportOptions { CidVersion = cidVersion });
        await importer.ImportBytesAsync(TestData.Bytes(1 << 20), CancellationToken.None);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peak = 0;

        var watch = Stopwatch.StartNew();
        var entry = await importer.ImportFileAsync(TestData.Stream(Size), _ => peak = Math.Max(peak, GC.GetTotalMemory(false)), CancellationToken.None);
        watch.Stop();

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        TestContext.Out.WriteLine(
            $"cid-version={cidVersion}: 256 MiB -> {entry.Cid} in {watch.Elapsed.TotalSeconds:F2} s = {Size / 1048576.0 / watch.Elapsed.TotalSeconds:F0} MiB/s; " +
            $"peak managed heap {(peak - baseline) / 1048576.0:F1} MiB above baseline ({peak / 1048576.0:F1} MiB total); allocated {allocated / 1048576.0:F1} MiB");
        Assert.That(entry.FileSize, Is.EqualTo((ulong)Size));
    }
}
