using CompositeGateway.Underclusters;

namespace CompositeGateway.Composition;

/// <summary>One undercluster as placement sees it: its pin path, its free-space reporter and its placement settings.</summary>
internal sealed class PlacementMember(Undercluster undercluster, UnderclusterPinService pins, SpaceReporter space, double weight, TimeSpan timeout)
{
    private long _lastFree = -1;

    public string Name => undercluster.Name;

    public Undercluster Undercluster => undercluster;

    public UnderclusterPinService Pins => pins;

    public SpaceReporter Space => space;

    public double Weight => weight;

    /// <summary>The undercluster's <c>timeout</c>: bounds each fan-out call to it as a whole (retries included).</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>Free space last computed for <c>repo/stat</c>; null before the first. Zero = no room for new pins.</summary>
    public ulong? LastFree => Interlocked.Read(ref _lastFree) is >= 0 and var free ? (ulong)free : null;

    public void RecordFree(ulong free) => Interlocked.Exchange(ref _lastFree, (long)Math.Min(free, SpaceReporter.MaxReported));
}
