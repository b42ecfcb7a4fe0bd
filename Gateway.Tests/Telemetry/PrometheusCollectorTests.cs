using System.Diagnostics.Metrics;
using CompositeGateway.Telemetry;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Telemetry;

public sealed class PrometheusCollectorTests
{
    private Meter _meter = null!;
    private PrometheusCollector _collector = null!;

    [SetUp]
    public void SetUp()
    {
        // A MeterListener hears every meter in the process: only this test's meter is exported.
        _meter = new Meter("test." + Guid.NewGuid().ToString("N"));
        var meter = _meter;
        _collector = new PrometheusCollector(instrument => instrument.Meter == meter ? instrument.Name : null);
    }

    [TearDown]
    public void TearDown()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Test]
    public void Scrape_CounterWithLabelsNeedingEscapes_RendersGolden()
    {
        var counter = _meter.CreateCounter<long>("t_requests_total", description: "Requests, with a \\ backslash\nand a second line.");
        counter.Add(2, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        counter.Add(3, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        counter.Add(1, new KeyValuePair<string, object?>("path", "plain"), new KeyValuePair<string, object?>("http.method", "GET"));

        Assert.That(_collector.Scrape(), Is.EqualTo(
            """
            # HELP t_requests_total Requests, with a \\ backslash\nand a second line.
            # TYPE t_requests_total counter
            t_requests_total{http_method="GET",path="plain"} 1
            t_requests_total{path="a\"b\\c\nd"} 5

            """.Replace("\r", "")));
    }

    [Test]
    public void Scrape_HistogramWithAdvisedBuckets_RendersCumulativeBucketsSumAndCount()
    {
        var histogram = _meter.CreateHistogram(
            "t_duration_seconds",
            unit: "s",
            description: "Durations.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1] });
        var tag = new KeyValuePair<string, object?>("command", "pin/add");
        histogram.Record(0.0625, tag);
        histogram.Record(0.25, tag);
        histogram.Record(0.5, tag);
        histogram.Record(2.25, tag);
        histogram.Record(0.5);

        Assert.That(_collector.Scrape(), Is.EqualTo(
            """
            # HELP t_duration_seconds Durations.
            # TYPE t_duration_seconds histogram
            t_duration_seconds_bucket{le="0.25"} 0
            t_duration_seconds_bucket{le="1"} 1
            t_duration_seconds_bucket{le="+Inf"} 1
            t_duration_seconds_sum 0.5
            t_duration_seconds_count 1
            t_duration_seconds_bucket{command="pin/add",le="0.25"} 2
            t_duration_seconds_bucket{command="pin/add",le="1"} 3
            t_duration_seconds_bucket{command="pin/add",le="+Inf"} 4
            t_duration_seconds_sum{command="pin/add"} 3.0625
            t_duration_seconds_count{command="pin/add"} 4

            """.Replace("\r", "")));
    }

    [Test]
    public void Scrape_HistogramWithoutAdvice_UsesDefaultSecondsBuckets()
    {
        _meter.CreateHistogram<double>("t_wait_seconds", description: "Waits.").Record(3);

        var text = _collector.Scrape();

        Assert.Multiple(() =>
        {
            foreach (var bound in PrometheusCollector.DefaultSecondsBuckets)
            {
                Assert.That(text, Does.Contain($"t_wait_seconds_bucket{{le=\"{PrometheusText.FormatValue(bound)}\"}} {(bound >= 3 ? 1 : 0)}\n"));
            }
        });
    }

    [Test]
    public void Scrape_GaugesAndUpDownCounters_RenderCurrentValuesWithSpecialFloats()
    {
        var gauge = _meter.CreateGauge<double>("t_temperature", description: "Last value.");
        gauge.Record(1.5, new KeyValuePair<string, object?>("k", "a"));
        gauge.Record(double.PositiveInfinity, new KeyValuePair<string, object?>("k", "b"));
        gauge.Record(double.NegativeInfinity, new KeyValuePair<string, object?>("k", "c"));
        gauge.Record(double.NaN, new KeyValuePair<string, object?>("k", "d"));
        gauge.Record(-0.25, new KeyValuePair<string, object?>("k", "a"));
        var waiting = _meter.CreateUpDownCounter<int>("t_waiting", description: "In flight.");
        waiting.Add(3);
        waiting.Add(-1);

        Assert.That(_collector.Scrape(), Is.EqualTo(
            """
            # HELP t_temperature Last value.
            # TYPE t_temperature gauge
            t_temperature{k="a"} -0.25
            t_temperature{k="b"} +Inf
            t_temperature{k="c"} -Inf
            t_temperature{k="d"} NaN
            # HELP t_waiting In flight.
            # TYPE t_waiting gauge
            t_waiting 2

            """.Replace("\r", "")));
    }

    [Test]
    public void Scrape_ObservableInstruments_PolledAtScrapeAndStaleSeriesDropped()
    {
        var reported = new List<string> { "a", "b" };
        var polls = 0;
        _meter.CreateObservableGauge("t_up", () => reported.Select(name => new Measurement<long>(1, new KeyValuePair<string, object?>("name", name))), description: "Up.");
        _meter.CreateObservableCounter("t_ticks_total", () => (double)++polls, description: "Polls.");
        _meter.CreateObservableUpDownCounter("t_level", () => 7, description: "Level.");

        var first = _collector.Scrape();
        reported.Remove("a");
        var second = _collector.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Contain("t_up{name=\"a\"} 1\n").And.Contain("t_up{name=\"b\"} 1\n").And.Contain("t_ticks_total 1\n"));
            Assert.That(second, Does.Not.Contain("name=\"a\"").And.Contain("t_up{name=\"b\"} 1\n"));
            Assert.That(second, Does.Contain("# TYPE t_ticks_total counter\nt_ticks_total 2\n"));
            Assert.That(second, Does.Contain("# TYPE t_level gauge\nt_level 7\n"));
        });
    }

    [Test]
    public void Scrape_TagsInAnyOrderOrBoxedType_ShareOneSeries()
    {
        var counter = _meter.CreateCounter<long>("t_calls_total", description: "Calls.");
        counter.Add(1, new("a", "x"), new("code", 200));
        counter.Add(1, new("code", 200), new("a", "x"));
        counter.Add(1, new("a", "x"), new("code", 200L));

        Assert.That(_collector.Scrape(), Does.Contain("t_calls_total{a=\"x\",code=\"200\"} 3\n").And.Not.Contain("} 1\n"));
    }

    [Test]
    public void Scrape_InvalidNames_AreSanitised()
    {
        _meter.CreateCounter<long>("t.bad-name_total", description: "Odd name.").Add(1, new KeyValuePair<string, object?>("server.port", 5001));

        Assert.That(_collector.Scrape(), Does.Contain("# TYPE t_bad_name_total counter\nt_bad_name_total{server_port=\"5001\"} 1\n"));
    }

    [Test]
    public void Scrape_InstrumentsOfOtherMeters_AreNotExported()
    {
        using var other = new Meter("test.other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("t_foreign_total").Add(1);
        _meter.CreateCounter<long>("t_own_total", description: "Own.").Add(1);

        Assert.That(_collector.Scrape(), Does.Contain("t_own_total 1").And.Not.Contain("t_foreign_total"));
    }

    [Test]
    public async Task Record_ConcurrentWritersAndScrapes_CountEveryMeasurement()
    {
        var counter = _meter.CreateCounter<long>("t_hits_total", description: "Hits.");
        var sum = _meter.CreateCounter<double>("t_weight_total", description: "Weights.");
        var histogram = _meter.CreateHistogram<double>("t_latency_seconds", description: "Latency.");
        const int Writers = 8;
        const int PerWriter = 20_000;

        var scraping = true;
        var scraper = Task.Run(() =>
        {
            while (Volatile.Read(ref scraping))
            {
                _ = _collector.Scrape();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var tag = new KeyValuePair<string, object?>("shard", i % 4);
                counter.Add(1, tag);
                sum.Add(0.5, tag);
                histogram.Record(i / 4 % 2 == 0 ? 0.001 : 100, tag);
            }
        })));
        Volatile.Write(ref scraping, false);
        await scraper;

        var text = _collector.Scrape();
        var each = Writers * PerWriter / 4;
        Assert.Multiple(() =>
        {
            for (var shard = 0; shard < 4; shard++)
            {
                Assert.That(text, Does.Contain($"t_hits_total{{shard=\"{shard}\"}} {each}\n"));
                Assert.That(text, Does.Contain($"t_weight_total{{shard=\"{shard}\"}} {each / 2}\n"));
                Assert.That(text, Does.Contain($"t_latency_seconds_bucket{{shard=\"{shard}\",le=\"0.005\"}} {each / 2}\n"));
                Assert.That(text, Does.Contain($"t_latency_seconds_bucket{{shard=\"{shard}\",le=\"+Inf\"}} {each}\n"));
                Assert.That(text, Does.Contain($"t_latency_seconds_count{{shard=\"{shard}\"}} {each}\n"));
            }
        });
    }

    [Test]
    public void Record_KnownTagSet_AllocatesNothingPerMeasurement()
    {
        var counter = _meter.CreateCounter<long>("t_hot_total", description: "Hot path.");
        var histogram = _meter.CreateHistogram<double>("t_hot_seconds", description: "Hot path.");
        const int Measurements = 100_000;
        void RecordAll()
        {
            for (var i = 0; i < Measurements; i++)
            {
                var tags = new System.Diagnostics.TagList { { "command", "pin/add" }, { "code", "200" } };
                counter.Add(1, tags);
                histogram.Record(0.01, tags);
            }
        }

        RecordAll(); // first sighting of the tag set allocates the series
        var before = GC.GetAllocatedBytesForCurrentThread();
        RecordAll();
        var perMeasurement = (GC.GetAllocatedBytesForCurrentThread() - before) / (2.0 * Measurements);

        TestContext.Out.WriteLine($"allocated bytes per measurement on a known tag set: {perMeasurement:0.###}");
        Assert.That(perMeasurement, Is.LessThan(1));
    }

    [Test]
    public async Task Scrape_GoldenFamilies_PassPromtool()
    {
        _meter.CreateCounter<long>("t_requests_total", description: "Requests \\ with\nescapes.").Add(1, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));
        _meter.CreateHistogram<double>("t_duration_seconds", description: "Durations.").Record(0.2, new KeyValuePair<string, object?>("command", "id"));
        _meter.CreateGauge<double>("t_ratio", description: "Special values.").Record(double.NaN);
        _meter.CreateCounter<long>("t_never_total", description: "Declared, never incremented.");

        var result = await Promtool.CheckMetricsAsync(_collector.Scrape());

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout + result.Stderr, Is.Empty, result.ToString());
    }
}
