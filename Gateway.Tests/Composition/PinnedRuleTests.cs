using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Composition;

public sealed class PinnedRuleTests
{
    private const string Cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    internal static ClusterPin Pin(int min, int max, params string[] allocations) => new()
    {
        Cid = Cid,
        ReplicationFactorMin = min,
        ReplicationFactorMax = max,
        Allocations = allocations,
    };

    internal static GlobalPinInfo Status(params (string Peer, string Status, string Error)[] peers) => new()
    {
        Cid = Cid,
        PeerMap = peers.ToDictionary(p => p.Peer, p => new PinInfoShort { Peername = p.Peer + "-name", Status = p.Status, Error = p.Error }),
    };

    [Test]
    public void Evaluate_MinReachedWhileOthersPinning_Pinned()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(2, 3, "a", "b", "c"), Status(("a", "pinned", ""), ("b", "pinned", ""), ("c", "pinning", "")), "local");

        Assert.That(verdict, Is.EqualTo(new PinVerdict(PinState.Pinned, 2, 2)));
    }

    [Test]
    public void Evaluate_RemoteNeverCounts_InProgress()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(2, 2, "a", "b"), Status(("a", "pinned", ""), ("b", "pin_queued", ""), ("c", "remote", "")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.InProgress));
        Assert.That(verdict.PinnedPeers, Is.EqualTo(1));
    }

    [Test]
    public void Evaluate_ReplicationMinZeroOrBelow_NeedsAtLeastOnePeer()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(0, 0, "a"), Status(("a", "pinning", ""), ("b", "remote", "")), "local");

        Assert.That(verdict.RequiredPeers, Is.EqualTo(1));
        Assert.That(verdict.State, Is.EqualTo(PinState.InProgress));
    }

    [Test]
    public void Evaluate_EverywhereWithOnePeerPinning_InProgressUntilEveryPeer()
    {
        var pin = Pin(-1, -1);
        var partly = PinnedRule.Evaluate(PinnedWhen.Min, pin, Status(("a", "pinned", ""), ("b", "pinned", ""), ("c", "pinning", "")), "local");
        var all = PinnedRule.Evaluate(PinnedWhen.Min, pin, Status(("a", "pinned", ""), ("b", "pinned", ""), ("c", "pinned", "")), "local");

        Assert.That(partly, Is.EqualTo(new PinVerdict(PinState.InProgress, 2, 3)));
        Assert.That(all, Is.EqualTo(new PinVerdict(PinState.Pinned, 3, 3)));
    }

    [Test]
    public void Evaluate_PinErrorOnNeededPeer_FailedWithPeerAndError()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(2, 2, "12D3KooWA", "12D3KooWB"), Status(("12D3KooWA", "pinned", ""), ("12D3KooWB", "pin_error", "context canceled")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.Failed));
        Assert.That(verdict.Problem, Is.EqualTo("undercluster \"local\": pin_error on peer 12D3KooWB (12D3KooWB-name): context canceled"));
    }

    [Test]
    public void Evaluate_PinErrorOnPeerNotNeeded_StillInProgress()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(1, 3, "a", "b", "c"), Status(("a", "pin_error", "boom"), ("b", "pinning", ""), ("c", "pin_queued", "")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.InProgress));
    }

    [Test]
    public void Evaluate_AllAllocatedWithOneError_Failed()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.AllAllocated, Pin(1, 3, "a", "b", "c"), Status(("a", "pinned", ""), ("b", "pinned", ""), ("c", "pin_error", "no space")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.Failed));
        Assert.That(verdict.RequiredPeers, Is.EqualTo(3));
    }

    [Test]
    public void Evaluate_CountAboveAllocations_FailedNamingTheRule()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Count(3), Pin(1, 2, "a", "b"), Status(("a", "pinned", ""), ("b", "pinned", ""), ("c", "remote", "")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.Failed));
        Assert.That(verdict.Problem, Does.Contain("pinned_when 3 needs 3 peers"));
    }

    [Test]
    public void Evaluate_CountOnEverywherePin_CappedAtPeerCount()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Count(5), Pin(-1, -1), Status(("a", "pinned", ""), ("b", "pinned", "")), "local");

        Assert.That(verdict, Is.EqualTo(new PinVerdict(PinState.Pinned, 2, 2)));
    }

    [Test]
    public void Evaluate_NeededPeerCouldNotBeAsked_Undetermined()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(-1, -1), Status(("a", "pinned", ""), ("b", "cluster_error", "context deadline exceeded")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.Undetermined));
        Assert.That(verdict.Problem, Does.Contain("could not be asked: context deadline exceeded"));
    }

    [Test]
    public void Evaluate_EveryPeerUnpinned_Absent()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(1, 1, "a"), Status(("a", "unpinned", ""), ("b", "unpinned", "")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.Absent));
    }

    [Test]
    public void Evaluate_UnexpectedlyUnpinned_StillInProgress()
    {
        var verdict = PinnedRule.Evaluate(PinnedWhen.Min, Pin(1, 1, "a"), Status(("a", "unexpectedly_unpinned", ""), ("b", "remote", "")), "local");

        Assert.That(verdict.State, Is.EqualTo(PinState.InProgress));
    }

    [TestCase("min", "min")]
    [TestCase("all-allocated", "all-allocated")]
    [TestCase(" 3 ", "3")]
    public void Parse_ValidRule_RoundTrips(string text, string expected)
    {
        Assert.That(PinnedWhen.Parse(text, out var error)?.ToString(), Is.EqualTo(expected));
        Assert.That(error, Is.Null);
    }

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("most")]
    public void Parse_InvalidRule_QuotesValueAndForms(string text)
    {
        Assert.That(PinnedWhen.Parse(text, out var error), Is.Null);
        Assert.That(error, Is.EqualTo($"\"{text}\" is not min, all-allocated or a number of peers (1 or more)"));
    }
}
