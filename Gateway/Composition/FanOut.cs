using System.Globalization;
using CompositeGateway.Clusters;

namespace CompositeGateway.Composition;

/// <summary>
/// Calls to several underclusters, all at once, each bounded by its own <c>timeout</c> as a whole (retries
/// included): a slow undercluster delays the combined answer by at most its timeout, never the sum, and its
/// lateness becomes a failure value naming it.
/// </summary>
internal static class FanOut
{
    public static Task<T[]> RunAsync<T>(
        IReadOnlyList<PlacementMember> members,
        Func<PlacementMember, CancellationToken, Task<T>> call,
        Func<PlacementMember, GatewayFailure, T> late,
        TimeProvider time,
        CancellationToken cancellationToken) =>
        Task.WhenAll(members.Select(member => OneAsync(member, call, late, time, cancellationToken)));

    /// <summary>The failure of an undercluster that did not answer within its timeout.</summary>
    public static GatewayFailure TimedOut(PlacementMember member) => new(
        $"undercluster \"{member.Name}\": no answer within its timeout of {member.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
        Transient: true);

    private static async Task<T> OneAsync<T>(
        PlacementMember member,
        Func<PlacementMember, CancellationToken, Task<T>> call,
        Func<PlacementMember, GatewayFailure, T> late,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(member.Timeout > TimeSpan.Zero ? member.Timeout : Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            // Yield first so that one member's synchronous start does not hold up the others'.
            await Task.Yield();
            var result = await call(member, linked.Token);
            return deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? late(member, TimedOut(member)) : result;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return late(member, TimedOut(member));
        }
    }
}
