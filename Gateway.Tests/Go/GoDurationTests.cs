using CompositeGateway.Go;

namespace CompositeGateway.Tests.Go;

public sealed class GoDurationTests
{
    [TestCase("30s", 30_000)]
    [TestCase("5m", 300_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("250ms", 250)]
    [TestCase("1.5s", 1_500)]
    [TestCase("2h45m30.5s", 9_930_500)]
    [TestCase("0", 0)]
    [TestCase("-2s", -2_000)]
    [TestCase("+1m", 60_000)]
    public void TryParse_GoNotation_Parsed(string text, long milliseconds)
    {
        Assert.That(GoDuration.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Test]
    public void TryParse_SubMillisecondUnits_Parsed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GoDuration.TryParse("1500ns", out var ns) ? ns.Ticks : -1, Is.EqualTo(15));
            Assert.That(GoDuration.TryParse("3us", out var us) ? us.Ticks : -1, Is.EqualTo(30));
            Assert.That(GoDuration.TryParse("3µs", out var mu) ? mu.Ticks : -1, Is.EqualTo(30));
        });
    }

    [TestCase("")]
    [TestCase("30")]
    [TestCase("s")]
    [TestCase("1d")]
    [TestCase("1 h")]
    [TestCase("1h 30m")]
    [TestCase("1.2.3s")]
    [TestCase("99999999999h")]
    public void TryParse_NotGoNotation_Rejected(string text) => Assert.That(GoDuration.TryParse(text, out _), Is.False);

    [TestCase(0, "0s")]
    [TestCase(250, "250ms")]
    [TestCase(1_500, "1.5s")]
    [TestCase(30_000, "30s")]
    [TestCase(5_400_000, "1h30m")]
    [TestCase(90_061_000, "25h1m1s")]
    public void Format_Duration_CompactGoNotation(long milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);
        Assert.That(GoDuration.Format(value), Is.EqualTo(expected));
        Assert.That(GoDuration.TryParse(expected, out var back) ? back : TimeSpan.MinValue, Is.EqualTo(value));
    }
}
