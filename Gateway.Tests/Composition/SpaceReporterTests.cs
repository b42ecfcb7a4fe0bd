using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Composition;

public sealed class SpaceReporterTests
{
    private const ulong GiB = 1UL << 30;

    // The worked example of docs/design/repo-stat.md: four peers with 500, 300, 200 and 100 GiB free.
    private static readonly ulong[] Free = [500 * GiB, 300 * GiB, 200 * GiB, 100 * GiB];

    [TestCase(1, 1, 500UL)]
    [TestCase(2, 3, 300UL)]
    [TestCase(3, 3, 200UL)]
    [TestCase(4, 4, 100UL)]
    public void Finite_MinRule_KthLargestFreeSpace(int min, int max, ulong expectedGiB)
    {
        Assert.That(SpaceReporter.Finite(PinnedWhen.Min, min, max, Free), Is.EqualTo(expectedGiB * GiB));
    }

    [Test]
    public void Finite_AllAllocatedRule_UsesReplicationMax()
    {
        Assert.That(SpaceReporter.Finite(PinnedWhen.AllAllocated, 2, 3, Free), Is.EqualTo(200 * GiB));
    }

    [Test]
    public void Finite_FewerCandidatesThanMin_Zero()
    {
        Assert.That(SpaceReporter.Finite(PinnedWhen.Min, 5, 5, Free), Is.Zero);
    }

    [Test]
    public void Everywhere_PeerWithoutMetric_Zero()
    {
        var free = new Dictionary<string, ulong> { ["a"] = 5, ["b"] = 7 };

        Assert.That(SpaceReporter.Everywhere(PinnedWhen.Min, ["a", "b"], free), Is.EqualTo(5));
        Assert.That(SpaceReporter.Everywhere(PinnedWhen.Min, ["a", "b", "c"], free), Is.Zero);
        Assert.That(SpaceReporter.Everywhere(PinnedWhen.Count(2), ["a", "b", "c"], free), Is.EqualTo(5));
    }

    [Test]
    public void FreeByPeer_InvalidZeroOrUnparsable_Ignored()
    {
        var metrics = new[]
        {
            new ClusterMetric { Peer = "a", Value = "100", Valid = true },
            new ClusterMetric { Peer = "b", Value = "0", Valid = true },
            new ClusterMetric { Peer = "c", Value = "x", Valid = true },
            new ClusterMetric { Peer = "d", Value = "100", Valid = false },
            new ClusterMetric { Peer = "e", Value = "18446744073709551615", Valid = true },
        };

        Assert.That(SpaceReporter.FreeByPeer(metrics), Is.EqualTo(new Dictionary<string, ulong> { ["a"] = 100, ["e"] = ulong.MaxValue }));
    }
}
