namespace CompositeGateway.Security;

/// <summary>
/// Logs refused requests at most <see cref="MaxPerWindow"/> times per <see cref="Window"/>, then one line with how many
/// were not logged: a flood of bad credentials must not flood the log (or the disk behind it). Thread-safe.
/// </summary>
internal sealed class RefusalLog(TimeProvider time, ILogger<RefusalLog> logger)
{
    public const int MaxPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private DateTimeOffset windowStart = DateTimeOffset.MinValue;
    private int logged;
    private long suppressed;

    /// <summary>Logs <paramref name="listener"/>'s refusal unless this window's share is used up.</summary>
    /// <param name="listener">Which listener refused: <c>kubo</c> or <c>admin</c>.</param>
    /// <param name="path">The request path (the caller's own text; never a credential).</param>
    /// <param name="remote">The caller's address.</param>
    /// <param name="reason">Why, naming an authorization entry at most, never its secret.</param>
    public void Refused(string listener, string path, string remote, string reason)
    {
        long report;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - windowStart >= Window)
            {
                report = suppressed;
                (windowStart, logged, suppressed) = (now, 0, 0);
            }
            else
            {
                report = 0;
            }

            if (logged >= MaxPerWindow)
            {
                suppressed++;
                return;
            }

            logged++;
        }

        if (report > 0)
        {
            SecurityLog.RefusalsSuppressed(logger, report, Window);
        }

        // Paths are the caller's input: cut long ones so one request cannot write a megabyte line.
        SecurityLog.Refused(logger, listener, path.Length > 200 ? path[..200] + "…" : path, remote, reason);
    }
}
