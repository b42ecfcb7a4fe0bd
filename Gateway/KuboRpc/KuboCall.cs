using CompositeGateway.Clusters;

namespace CompositeGateway.KuboRpc;

/// <summary>A parsed Kubo RPC request: the command, its positional arguments and typed options.</summary>
/// <remarks>
/// <paramref name="services"/> are the application's: every service a command uses is a singleton, and touching
/// <c>HttpContext.RequestServices</c> would make a DI scope for every request for nothing.
/// </remarks>
internal sealed class KuboCall(HttpContext http, IServiceProvider services, KuboCommand command, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, object> options)
{
    public HttpContext Http { get; } = http;

    public KuboCommand Command { get; } = command;

    /// <summary>Arguments in Kubo's order: a slash-path argument first, then every <c>arg=</c> in query order.</summary>
    public IReadOnlyList<string> Arguments { get; } = arguments;

    public CancellationToken Aborted => Http.RequestAborted;

    public bool Flag(string name, bool defaultValue) =>
        options.TryGetValue(name, out var value) ? (bool)value : defaultValue;

    public int Integer(string name, int defaultValue) =>
        options.TryGetValue(name, out var value) ? (int)value : defaultValue;

    public string? Text(string name) => options.TryGetValue(name, out var value) ? (string)value : null;

    public T Service<T>()
        where T : notnull => services.GetRequiredService<T>();

    public T? OptionalService<T>() => services.GetService<T>();

    /// <summary>
    /// Answers <paramref name="failure"/> as a Kubo error, or, once a 200 has gone out, cuts the stream
    /// (<see cref="KuboErrorWriter"/>); a cut is logged here, the one place every command ends a failed stream.
    /// </summary>
    public Task FailAsync(KuboFailure failure)
    {
        if (Http.Response.HasStarted && OptionalService<ILoggerFactory>() is { } logs)
        {
            KuboRpcLog.StreamAborted(logs.CreateLogger(typeof(KuboRpcEndpoints)), Command.Path, failure.Message);
        }

        return KuboErrorWriter.WriteAsync(Http, failure);
    }

    /// <summary>A gateway failure, answered as <see cref="KuboFailure.FromGateway"/> decides.</summary>
    public Task FailAsync(GatewayFailure failure) => FailAsync(KuboFailure.FromGateway(failure));
}
