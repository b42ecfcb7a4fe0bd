namespace CompositeGateway.Hosting;

internal enum LogFormat
{
    Text,
    Json,
}

/// <summary>Console logging as chosen on the command line (<c>--log-format</c>, <c>--log-level</c>).</summary>
internal sealed record LoggingOptions
{
    public LogFormat Format { get; init; } = LogFormat.Text;

    public LogLevel Level { get; init; } = LogLevel.Information;
}
