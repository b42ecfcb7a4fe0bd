
namespace CompositeGateway.Lab;

/// <summary>Request-level faults: added latency, hanging requests, injected 500s (see <see cref="LabFaults"/>).</summary>
internal static class LabRequestFaults
{
    public const string InjectedFailure = "lab: injected failure";

    /// <summary>True when the request was answered (or abandoned) by a fault and must go no further.</summary>
    public static async Task<bool> ApplyAsync(HttpContext context, LabFaults faults, TimeProvider time, CancellationToken stopping)
    {
        if (faults.Paths is { Count: > 0 } paths && !paths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.Ordinal)))
        {
            return false;
        }

        var latency = faults.Latency ?? TimeSpan.Zero;
        if (faults.Jitter is { } jitter && jitter > TimeSpan.Zero)
        {
            latency += TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * jitter.Ticks));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, time, linked.Token);
        }

        if (faults.HangRate is > 0 and var hang && Random.Shared.NextDouble() < hang)
        {
            try
            {
                // Never answers: ends only when the client gives up or the cluster goes down.
                await Task.Delay(Timeout.InfiniteTimeSpan, time, linked.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }

            return true;
        }

        if (faults.ErrorRate is > 0 and var rate && Random.Shared.NextDouble() < rate)
        {
            await LabHttp.WriteErrorAsync(context, 500, InjectedFailure);
            return true;
        }

        return false;
    }
}
