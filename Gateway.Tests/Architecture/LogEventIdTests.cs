using System.Reflection;

namespace CompositeGateway.Tests.Architecture;

/// <summary>
/// Operators filter and alert on event ids (Gateway/Telemetry/LogEventIds.md gives each folder a range): an id used for
/// two different lines makes such a filter match both, as happened once when two branches picked the same range.
/// </summary>
public sealed class LogEventIdTests
{
    [Test]
    public void EveryLoggerMessageEventId_IsUsedOnce()
    {
        var gateway = typeof(CompositeGateway.Hosting.GatewayHost).Assembly;
        var messages = gateway.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        var duplicates = messages.GroupBy(x => x.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}")))
            .ToList();

        Assert.That(messages, Has.Count.GreaterThan(50), "the gateway's [LoggerMessage] methods were found");
        Assert.That(duplicates, Is.Empty);
    }
}
