namespace CompositeGateway.Underclusters;

/// <summary>A state change seen by one probe, so that the monitor logs transitions once.</summary>
internal readonly record struct HealthTransition(UnderclusterState Previous, UnderclusterState Current, int ConsecutiveFailures)
{
    public bool Changed => Previous != Current;
}
