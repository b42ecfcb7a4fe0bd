using System.Text.Json;
using CompositeGateway.Clusters.Wire;
using CompositeGateway.Go;

namespace CompositeGateway.Tests.Go;

public sealed class GoTimeTests
{
    // Go's time.Time MarshalJSON (RFC 3339 with the fraction's trailing zeros dropped, Z for UTC).
    [TestCase(2024, 1, 2, 3, 4, 5, 0L, 0, "2024-01-02T03:04:05Z")]
    [TestCase(2024, 1, 2, 3, 4, 50, 0L, 0, "2024-01-02T03:04:50Z")]
    [TestCase(2024, 1, 2, 3, 4, 5, 1_230_000L, 0, "2024-01-02T03:04:05.123Z")]
    [TestCase(2024, 1, 2, 3, 4, 5, 1L, 0, "2024-01-02T03:04:05.0000001Z")]
    [TestCase(2024, 1, 2, 3, 4, 5, 5_000_000L, 90, "2024-01-02T03:04:05.5+01:30")]
    [TestCase(2024, 1, 2, 3, 4, 5, 0L, -300, "2024-01-02T03:04:05-05:00")]
    [TestCase(1, 1, 1, 0, 0, 0, 0L, 0, "0001-01-01T00:00:00Z")]
    public void Format_GoForm_Written(int year, int month, int day, int hour, int minute, int second, long fractionTicks, int offsetMinutes, string expected)
    {
        var value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks);
        Assert.Multiple(() =>
        {
            Assert.That(GoTime.Format(value), Is.EqualTo(expected));
            Assert.That(JsonSerializer.Serialize(new ClusterPin { Timestamp = value }, ClusterJsonContext.Default.ClusterPin), Does.Contain("\"timestamp\":" + JsonSerializer.Serialize(expected)));
        });
    }

    [TestCase("2024-01-02T03:04:05Z", 0L, 0)]
    [TestCase("2024-01-02T03:04:05.123456789Z", 1_234_567L, 0)]
    [TestCase("2024-01-02T03:04:05.5+01:30", 5_000_000L, 90)]
    public void Read_GoForm_Parsed(string text, long fractionTicks, int offsetMinutes)
    {
        var pin = JsonSerializer.Deserialize($"{{\"timestamp\":\"{text}\"}}", ClusterJsonContext.Default.ClusterPin)!;
        Assert.That(pin.Timestamp, Is.EqualTo(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks)));
        Assert.That(pin.Timestamp.Offset, Is.EqualTo(TimeSpan.FromMinutes(offsetMinutes)));
    }
}
