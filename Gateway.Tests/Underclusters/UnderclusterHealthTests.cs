using CompositeGateway.Admin;
using CompositeGateway.Configuration;
using CompositeGateway.Underclusters;
using Microsoft.Extensions.Time.Testing;

namespace CompositeGateway.Tests.Underclusters;

public sealed class UnderclusterHealthTests
{
    [Test]
    public void Snapshot_FirstProbeHangs_NotReadyWithProbeInProgressCause()
    {
        var time = new FakeTimeProvider();
        var health = new UnderclusterHealth(["eu"], new HealthOptions { ReadyWithin = TimeSpan.FromSeconds(30) }, time);

        health.RecordProbeStarted("eu");
        time.Advance(TimeSpan.FromSeconds(7.4));
        var report = ReadinessReport.From(health.Snapshot());

        Assert.That(report.Ready, Is.False);
        Assert.That(report.Underclusters[0].LastError, Is.EqualTo("probe in progress for 7s: no answer yet"));
        Assert.That(report.Reason, Does.EndWith("probe in progress for 7s: no answer yet"));
    }

    [Test]
    public void Snapshot_SuccessThenProbeHangsPastReadyWithin_CauseSaysSinceWhen()
    {
        var time = new FakeTimeProvider();
        var health = new UnderclusterHealth(["eu"], new HealthOptions { ReadyWithin = TimeSpan.FromSeconds(30) }, time);
        health.RecordProbeStarted("eu");
        health.RecordSuccess("eu", "12D3KooW");

        time.Advance(TimeSpan.FromSeconds(5));
        health.RecordProbeStarted("eu");
        var whileFresh = health.Snapshot()[0];
        time.Advance(TimeSpan.FromSeconds(40));
        var stale = health.Snapshot()[0];

        Assert.That((whileFresh.IsReady, whileFresh.LastError), Is.EqualTo((true, (string?)null)));
        Assert.That((stale.IsReady, stale.LastError), Is.EqualTo((false, "probe in progress for 40s: no answer yet (last answer 45s ago)")));
    }

    [Test]
    public void Snapshot_ProbeFailed_KeepsTheProbeError()
    {
        var time = new FakeTimeProvider();
        var health = new UnderclusterHealth(["eu"], new HealthOptions(), time);

        health.RecordProbeStarted("eu");
        health.RecordFailure("eu", "connection refused");
        health.RecordProbeStarted("eu");
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.That(health.Snapshot()[0].LastError, Is.EqualTo("connection refused"));
    }
}
