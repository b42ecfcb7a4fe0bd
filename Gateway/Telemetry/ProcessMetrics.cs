using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompositeGateway.Telemetry;

/// <summary>
/// The process metrics operators expect from any Prometheus target, named as the Go and
/// Python clients name them (<c>process_*</c>), plus a few .NET runtime gauges. All are polled
/// at scrape time.
/// </summary>
internal sealed class ProcessMetrics
{
    public const string MeterName = "CompositeGateway.Process";

    public ProcessMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        double startTime;
        using (var process = Process.GetCurrentProcess())
        {
            startTime = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        meter.CreateObservableCounter(
            "process_cpu_seconds_total",
            () => Environment.CpuUsage.TotalTime.TotalSeconds,
            description: "Total user and system CPU time spent in seconds.");
        meter.CreateObservableGauge(
            "process_resident_memory_bytes",
            () => Environment.WorkingSet,
            description: "Resident memory size in bytes.");
        meter.CreateObservableGauge(
            "process_start_time_seconds",
            () => startTime,
            description: "Start time of the process since unix epoch in seconds.");
        meter.CreateObservableGauge(
            "process_open_fds",
            OpenFileDescriptors,
            description: "Number of open file descriptors.");
        meter.CreateObservableGauge(
            "process_max_fds",
            MaxFileDescriptors,
            description: "Maximum number of open file descriptors.");
        meter.CreateObservableGauge(
            "dotnet_gc_heap_size_bytes",
            () => GC.GetGCMemoryInfo().HeapSizeBytes,
            description: "Size of the managed heap in bytes, as of the last garbage collection.");
        meter.CreateObservableCounter(
            "dotnet_gc_allocated_bytes_total",
            () => GC.GetTotalAllocatedBytes(),
            description: "Bytes allocated on the managed heap since the process started.");
        meter.CreateObservableCounter(
            "dotnet_gc_collections_total",
            () => Enumerable.Range(0, GC.MaxGeneration + 1).Select(generation =>
                new Measurement<long>(GC.CollectionCount(generation), new KeyValuePair<string, object?>("generation", generation))),
            description: "Garbage collections since the process started, by generation.");
        meter.CreateObservableGauge(
            "dotnet_threadpool_threads",
            () => (long)ThreadPool.ThreadCount,
            description: "Thread pool threads currently alive.");
        meter.CreateObservableGauge(
            "dotnet_threadpool_queue_length",
            () => ThreadPool.PendingWorkItemCount,
            description: "Work items queued to the thread pool and not yet started.");
    }

    private static IEnumerable<Measurement<long>> OpenFileDescriptors()
    {
        // Linux only: elsewhere the series is simply absent rather than wrong.
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        try
        {
            return [new Measurement<long>(Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount())];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static IEnumerable<Measurement<long>> MaxFileDescriptors()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        try
        {
            // "Max open files            1048576              1048576              files"
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], out var soft) ? [new Measurement<long>(soft)] : [];
                }
            }
        }
        catch (IOException)
        {
        }

        return [];
    }
}
