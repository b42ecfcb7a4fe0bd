using CompositeGateway.Clusters;
using Microsoft.AspNetCore.WebUtilities;

namespace CompositeGateway.Tests.Clusters;

public sealed class PinRequestTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void ToQueryString_Defaults_OnlyMode()
    {
        Assert.That(new PinRequest().ToQueryString(), Is.EqualTo("mode=recursive"));
    }

    [Test]
    public void ToQueryString_AllOptions_GoldenString()
    {
        var request = new PinRequest
        {
            Name = "backup 42",
            Mode = PinMode.Direct,
            ReplicationMin = 2,
            ReplicationMax = 3,
            ShardSize = 104857600,
            UserAllocations = ["12D3KooWPeerA", "12D3KooWPeerB"],
            ExpireAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, 500, TimeSpan.FromHours(2)),
            Metadata = new Dictionary<string, string> { ["owner"] = "gw-a", ["a b/c"] = "x&y=z", ["café"] = "100%" },
            PinUpdate = "bafybeiold",
            Origins = ["/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWOrigin", "/dns4/x.example/tcp/4001/p2p/QmOrigin2"],
        };

        Assert.That(request.ToQueryString(), Is.EqualTo(
            "name=backup%2042&mode=direct&replication-min=2&replication-max=3&shard-size=104857600"
            + "&user-allocations=12D3KooWPeerA%2C12D3KooWPeerB"
            + "&expire-at=2030-01-02T03%3A04%3A05.5%2B02%3A00"
            + "&meta-a%20b%2Fc=x%26y%3Dz&meta-caf%C3%A9=100%25&meta-owner=gw-a"
            + "&pin-update=bafybeiold"
            + "&origins=%2Fip4%2F10.0.0.1%2Ftcp%2F4001%2Fp2p%2F12D3KooWOrigin%2C%2Fdns4%2Fx.example%2Ftcp%2F4001%2Fp2p%2FQmOrigin2"));
    }

    [Test]
    public void ToQueryString_Metadata_DecodesBackToTheSameKeysAndValues()
    {
        var metadata = new Dictionary<string, string> { ["k=1&2"] = "v+ %", ["ünï"] = "çødé", ["plain"] = "" };
        var parsed = QueryHelpers.ParseQuery(new PinRequest { Metadata = metadata }.ToQueryString());

        var decoded = parsed.Where(p => p.Key.StartsWith("meta-", StringComparison.Ordinal)).ToDictionary(p => p.Key["meta-".Length..], p => p.Value.ToString());
        Assert.That(decoded, Is.EquivalentTo(metadata));
    }

    [Test]
    public void ToQueryString_UtcExpiry_GoTimeWithZ()
    {
        var query = new PinRequest { ExpireAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero) }.ToQueryString();
        Assert.That(query, Is.EqualTo("mode=recursive&expire-at=2030-01-02T03%3A04%3A05Z"));
    }

    [Test]
    public void Validate_GoodOptions_NoProblems()
    {
        var request = new PinRequest { ReplicationMin = -1, ReplicationMax = -1, ExpireAt = Now.AddDays(1), Origins = ["/ip4/1.2.3.4/tcp/1/p2p/12D3KooWX"] };
        Assert.That(request.Validate(Now), Is.Empty);
    }

    [TestCase(-2, 3, "below -1")]
    [TestCase(1, -5, "below -1")]
    [TestCase(-1, 3, "must both be -1")]
    [TestCase(2, -1, "must both be -1")]
    [TestCase(-1, null, "must both be -1")]
    [TestCase(4, 3, "larger than replication-max")]
    public void Validate_BadReplication_Rejected(int? min, int? max, string expected)
    {
        var problems = new PinRequest { ReplicationMin = min, ReplicationMax = max }.Validate(Now);
        Assert.That(problems, Has.Some.Contains(expected));
    }

    [Test]
    public void Validate_EveryProblem_ReportedAtOnce()
    {
        var request = new PinRequest
        {
            UserAllocations = ["12D3KooWPeerA", "not a peer"],
            ExpireAt = Now.AddSeconds(-1),
            Metadata = new Dictionary<string, string> { [""] = "dropped" },
            PinUpdate = "bafy/../x",
            Origins = ["/ip4/1.2.3.4/tcp/4001"],
        };

        Assert.That(request.Validate(Now), Has.Count.EqualTo(5));
    }

    [Test]
    public void AddRequest_ToQueryString_AlwaysStreamsAndSendsOnlyNonDefaults()
    {
        var add = new AddRequest { Pin = new PinRequest { Name = "f" }, Local = true, CidVersion = 1, Format = "car", Chunker = "size-1024", RawLeaves = false };
        Assert.That(add.ToQueryString(), Is.EqualTo("name=f&mode=recursive&stream-channels=true&local=true&format=car&chunker=size-1024&cid-version=1&raw-leaves=false"));
    }

    [Test]
    public void AddRequest_Validate_RejectsWhatTheClusterWould()
    {
        var add = new AddRequest { Format = "car", WrapWithDirectory = true, Layout = "zigzag", CidVersion = 2, Pin = new PinRequest { PinUpdate = "bafyx" } };
        Assert.That(add.Validate(Now), Has.Count.EqualTo(4));
    }
}
