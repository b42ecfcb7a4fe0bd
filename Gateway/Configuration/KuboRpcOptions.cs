using CompositeGateway.Go;

namespace CompositeGateway.Configuration;

/// <summary>Settings of the Kubo RPC surface (<c>kubo_rpc:</c> in gateway.yaml).</summary>
internal sealed record KuboRpcOptions
{
    /// <summary>Longest allowed <see cref="ProgressInterval"/>: Kubo ticks every 500 ms, and the Go peer's
    /// watchdog must see a rise well within its <c>pin_timeout</c> (ipfs-rpc-as-called-by-cluster.md §4.3).</summary>
    public static readonly TimeSpan MaxProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often <c>pin/add?progress=true</c> emits a strictly higher <c>{"Progress":n}</c> while waiting.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Problems with these values, each naming its key in <c>kubo_rpc</c>; empty when valid.</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        if (ProgressInterval <= TimeSpan.Zero || ProgressInterval > MaxProgressInterval)
        {
            problems.Add(new("progress_interval",
                $"must be greater than 0 and at most {GoDuration.Format(MaxProgressInterval)}, like Kubo's own progress ticks (was {GoDuration.Format(ProgressInterval)})"));
        }

        return problems;
    }
}
