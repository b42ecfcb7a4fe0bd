using System.Diagnostics.Metrics;
using Prometheus;

namespace CompositeGateway.Telemetry;

/// <summary>
/// Kestrel's <c>kestrel.active_connections</c> (an instrument we do not own) as the gauge
/// <c>kestrel_active_connections</c>. Not through prometheus-net's meter adapter: that one names it
/// <c>microsoft_aspnetcore_server_kestrel_kestrel_active_connections</c> and appends the unit and instrument type to
/// its HELP, and the family name is documented. Only this host's meter factory is heard (a listener hears every meter
/// in the process; tests run several hosts in one); ASP.NET's other meters carry high-cardinality route tags and stay out.
/// </summary>
internal sealed class KestrelConnections : IDisposable
{
    private const string KestrelMeterName = "Microsoft.AspNetCore.Server.Kestrel";
    private static readonly string[] Tags = ["network.transport", "network.type", "server.address", "server.port"];

    private readonly MeterListener _listener;

    public KestrelConnections(GatewayMetrics metrics, IMeterFactory factory)
    {
        var gauge = metrics.Factory.CreateGauge(
            "kestrel_active_connections",
            "Connections currently open on a listener.",
            [.. Tags.Select(t => t.Replace('.', '_'))]);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory)
                    && instrument.Meter.Name == KestrelMeterName
                    && instrument.Name == "kestrel.active_connections")
                {
                    listener.EnableMeasurementEvents(instrument, gauge);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, delta, tags, state) =>
        {
            var values = new string[Tags.Length];
            Array.Fill(values, "");
            foreach (var tag in tags)
            {
                var index = Array.IndexOf(Tags, tag.Key);
                if (index >= 0)
                {
                    values[index] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                }
            }

            ((Gauge)state!).WithLabels(values).Inc(delta);
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
