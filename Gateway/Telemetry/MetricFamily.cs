using System.Text;

namespace CompositeGateway.Telemetry;

/// <summary>How measurements of one instrument combine into a series value.</summary>
internal enum Aggregation
{
    /// <summary>Counter, UpDownCounter: each measurement is a delta.</summary>
    Sum,

    /// <summary>Gauge and every observable instrument: each measurement is the current value.</summary>
    LastValue,

    /// <summary>Histogram: bucket counts, sum and count.</summary>
    Histogram,
}

/// <summary>
/// Everything exported for one instrument: its Prometheus name and type, and one series per
/// distinct tag set. Recording is lock-free on the hot path once a tag set has been seen: the
/// index is copy-on-write, so looking a tag set up allocates nothing.
/// </summary>
internal sealed class MetricFamily
{
    private readonly Lock _gate = new();
    private readonly double[] _bounds;

    // Order-independent hash of the raw tags → series seen with those tags. Replaced, never mutated.
    private Dictionary<int, TagSetEntry[]> _index = [];
    private Series[] _series = [];

    public MetricFamily(string name, string help, string type, Aggregation aggregation, bool isObservable, double[] bounds)
    {
        Name = name;
        Help = help;
        Type = type;
        Aggregation = aggregation;
        IsObservable = isObservable;
        _bounds = bounds;
    }

    public string Name { get; }
    public string Help { get; }

    /// <summary><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; }

    public Aggregation Aggregation { get; }

    /// <summary>Observable series only count when reported by the latest collection.</summary>
    public bool IsObservable { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, long generation)
    {
        var series = Find(tags) ?? Add(tags);
        switch (Aggregation)
        {
            case Aggregation.Sum:
                series.Add(value);
                break;
            case Aggregation.LastValue:
                series.Set(value, generation);
                break;
            default:
                series.Observe(value, _bounds);
                break;
        }
    }

    /// <summary>Appends the samples (not the HELP/TYPE header) of every live series, sorted by labels.</summary>
    public void RenderSamples(StringBuilder builder, long generation)
    {
        var series = Volatile.Read(ref _series);
        foreach (var one in series)
        {
            if (IsObservable && one.Generation != generation)
            {
                continue;
            }

            if (Aggregation == Aggregation.Histogram)
            {
                RenderHistogram(builder, one);
            }
            else
            {
                AppendSample(builder, Name, one.Labels, null, one.Value);
            }
        }
    }

    private void RenderHistogram(StringBuilder builder, Series series)
    {
        var (buckets, sum, count) = series.ReadHistogram(_bounds.Length);
        long cumulative = 0;
        for (var i = 0; i < _bounds.Length; i++)
        {
            cumulative += buckets[i];
            AppendSample(builder, Name + "_bucket", series.Labels, PrometheusText.FormatValue(_bounds[i]), cumulative);
        }

        AppendSample(builder, Name + "_bucket", series.Labels, "+Inf", count);
        AppendSample(builder, Name + "_sum", series.Labels, null, sum);
        AppendSample(builder, Name + "_count", series.Labels, null, count);
    }

    private static void AppendSample(StringBuilder builder, string name, string labels, string? le, double value)
    {
        builder.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            builder.Append('{').Append(labels);
            if (le is not null)
            {
                builder.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            builder.Append('}');
        }

        builder.Append(' ').Append(PrometheusText.FormatValue(value)).Append('\n');
    }

    private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!Volatile.Read(ref _index).TryGetValue(Hash(tags), out var entries))
        {
            return null;
        }

        foreach (var entry in entries)
        {
            if (entry.Matches(tags))
            {
                return entry.Series;
            }
        }

        return null;
    }

    private Series Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            var existing = Find(tags);
            if (existing is not null)
            {
                return existing;
            }

            // Tags that differ only in boxed type (int 200 vs long 200) render alike: one series.
            var labels = RenderLabels(tags);
            var series = Array.Find(_series, s => s.Labels == labels);
            if (series is null)
            {
                series = new Series(labels, Aggregation == Aggregation.Histogram ? _bounds.Length + 1 : 0);
                var all = new Series[_series.Length + 1];
                _series.CopyTo(all, 0);
                all[^1] = series;
                Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
                Volatile.Write(ref _series, all);
            }

            var hash = Hash(tags);
            var index = new Dictionary<int, TagSetEntry[]>(_index);
            var entry = new TagSetEntry(tags.ToArray(), series);
            index[hash] = index.TryGetValue(hash, out var entries) ? [.. entries, entry] : [entry];
            Volatile.Write(ref _index, index);
            return series;
        }
    }

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Summed so that tag order does not matter; callers are free to pass tags in any order.
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash = unchecked(hash + HashCode.Combine(tag.Key, tag.Value));
        }

        return hash;
    }

    private static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var labels = new (string Name, string Value)[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = (PrometheusText.SanitizeLabelName(tags[i].Key), PrometheusText.FormatLabelValue(tags[i].Value));
        }

        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var builder = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"");
            PrometheusText.AppendLabelValue(builder, value);
            builder.Append('"');
        }

        return builder.ToString();
    }

    private sealed class TagSetEntry(KeyValuePair<string, object?>[] tags, Series series)
    {
        public Series Series { get; } = series;

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
        {
            if (other.Length != tags.Length)
            {
                return false;
            }

            foreach (var tag in other)
            {
                if (!Contains(tag))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Contains(KeyValuePair<string, object?> tag)
        {
            foreach (var mine in tags)
            {
                if (string.Equals(mine.Key, tag.Key, StringComparison.Ordinal) && Equals(mine.Value, tag.Value))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>One labelled time series: a value, or histogram buckets.</summary>
internal sealed class Series
{
    private readonly long[] _buckets;
    private readonly Lock _histogramGate = new();
    private double _value;
    private double _sum;
    private long _count;
    private long _generation;

    public Series(string labels, int bucketCount)
    {
        Labels = labels;
        _buckets = bucketCount == 0 ? [] : new long[bucketCount];
    }

    /// <summary>Rendered <c>name="value",…</c>, sorted by name; empty without labels.</summary>
    public string Labels { get; }

    public double Value => Volatile.Read(ref _value);

    public long Generation => Volatile.Read(ref _generation);

    public void Add(double delta)
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _value, current + delta, current);
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }

    public void Set(double value, long generation)
    {
        Volatile.Write(ref _value, value);
        Volatile.Write(ref _generation, generation);
    }

    /// <summary>Histograms take a short lock so that a scrape never sees <c>_count</c> disagree with the buckets.</summary>
    public void Observe(double value, double[] bounds)
    {
        var bucket = bounds.Length;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (value <= bounds[i])
            {
                bucket = i;
                break;
            }
        }

        lock (_histogramGate)
        {
            _buckets[bucket]++;
            _sum += value;
            _count++;
        }
    }

    public (long[] Buckets, double Sum, long Count) ReadHistogram(int bounds)
    {
        var copy = new long[bounds + 1];
        lock (_histogramGate)
        {
            _buckets.CopyTo(copy, 0);
            return (copy, _sum, _count);
        }
    }
}
