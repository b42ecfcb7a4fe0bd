namespace CompositeGateway.Telemetry;

/// <summary>What the families need from the configuration: the undercluster names (series present from the start) and the wait limit.</summary>
internal sealed record GatewayMetricsOptions(IReadOnlyList<string> Underclusters, TimeSpan PinWaitLimit);
