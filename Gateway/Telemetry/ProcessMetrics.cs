using System.Diagnostics;

namespace CompositeGateway.Telemetry;

/// <summary>
/// The process metrics operators expect from any Prometheus target, named as the Go and Python clients name them
/// (<c>process_*</c>), plus a few .NET runtime gauges, all read at scrape time. Our own rather than prometheus-net's
/// default collectors: those keep other names and do not pass <c>promtool check metrics</c> (docs/observability.md).
/// </summary>
internal sealed class ProcessMetrics
{
    public ProcessMetrics(GatewayMetrics metrics)
    {
        var factory = metrics.Factory;
        double startTime;
        using (var process = Process.GetCurrentProcess())
        {
            startTime = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        var cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        var resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        factory.CreateGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.").Set(startTime);
        var openFds = OperatingSystem.IsLinux() ? factory.CreateGauge("process_open_fds", "Number of open file descriptors.") : null;
        var maxFds = OperatingSystem.IsLinux() ? factory.CreateGauge("process_max_fds", "Maximum number of open file descriptors.") : null;
        var heap = factory.CreateGauge("dotnet_gc_heap_size_bytes", "Size of the managed heap in bytes, as of the last garbage collection.");
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.");
        var collections = factory.CreateCounter("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", ["generation"]);
        var threads = factory.CreateGauge("dotnet_threadpool_threads", "Thread pool threads currently alive.");
        var queue = factory.CreateGauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.");
        var generations = Enumerable.Range(0, GC.MaxGeneration + 1)
            .Select(g => (Generation: g, Child: collections.WithLabels(g.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToArray();

        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
            resident.Set(Environment.WorkingSet);
            heap.Set(GC.GetGCMemoryInfo().HeapSizeBytes);
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            foreach (var (generation, child) in generations)
            {
                child.IncTo(GC.CollectionCount(generation));
            }

            threads.Set(ThreadPool.ThreadCount);
            queue.Set(ThreadPool.PendingWorkItemCount);
            if (OpenFileDescriptors() is { } open)
            {
                openFds?.Set(open);
            }

            if (MaxFileDescriptors() is { } max)
            {
                maxFds?.Set(max);
            }
        });
    }

    private static long? OpenFileDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long? MaxFileDescriptors()
    {
        try
        {
            // "Max open files            1048576              1048576              files"
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], out var soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
