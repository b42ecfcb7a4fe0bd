using System.Globalization;

namespace CompositeGateway.Tests.Functional.Benchmarks;

/// <summary>
/// A process's peak resident set per benchmark phase, with its split at that peak (from /proc/&lt;pid&gt;/status, Linux):
/// anonymous (GC heap, native heap, stacks), file-backed (runtime and assemblies) and shared memory (the runtime's
/// <c>/memfd:doublemapper</c>: JIT-compiled code and the runtime's type data). One peak for a whole run does not say
/// which phase set it, nor whether it is heap or code (docs/development/performance.md, "Memory, third pass").
/// </summary>
internal sealed class RssByPhase(int processId)
{
    private readonly List<(string Phase, Snapshot Peak)> _phases = [];
    private readonly Lock _lock = new();

    /// <summary>A sampler for one more phase: each call reads the process's memory and keeps the phase's highest.</summary>
    public Action Phase(string name)
    {
        int index;
        lock (_lock)
        {
            index = _phases.Count;
            _phases.Add((name, default));
        }

        return () =>
        {
            var now = Read();
            lock (_lock)
            {
                if (now.Rss > _phases[index].Peak.Rss)
                {
                    _phases[index] = (name, now);
                }
            }
        };
    }

    /// <summary>The highest peak of the phases named.</summary>
    public long PeakOf(params string[] names)
    {
        lock (_lock)
        {
            return _phases.Where(p => names.Contains(p.Phase)).Select(p => p.Peak.Rss).DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>"phase 121 MB (anon 33, file 68, shmem 20)" per phase, in order.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return string.Join("; ", _phases.Select(p => string.Create(
                CultureInfo.InvariantCulture,
                $"{p.Phase} {Mb(p.Peak.Rss)} MB (anon {Mb(p.Peak.Anon)}, file {Mb(p.Peak.File)}, shmem {Mb(p.Peak.Shmem)})")));
        }
    }

    /// <summary>The process's resident set now.</summary>
    public long Rss() => Read().Rss;

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);

    private Snapshot Read()
    {
        long rss = 0, anon = 0, file = 0, shmem = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                continue;
            }

            var bytes = parts[0] is "VmRSS:" or "RssAnon:" or "RssFile:" or "RssShmem:" ? long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024 : 0;
            switch (parts[0])
            {
                case "VmRSS:":
                    rss = bytes;
                    break;
                case "RssAnon:":
                    anon = bytes;
                    break;
                case "RssFile:":
                    file = bytes;
                    break;
                case "RssShmem:":
                    shmem = bytes;
                    break;
            }
        }

        return new Snapshot(rss, anon, file, shmem);
    }

    private readonly record struct Snapshot(long Rss, long Anon, long File, long Shmem);
}
