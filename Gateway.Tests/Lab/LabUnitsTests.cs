using CompositeGateway.Go;
using CompositeGateway.Lab;
using Microsoft.Extensions.Primitives;

namespace CompositeGateway.Tests.Lab;

public sealed class LabUnitsTests
{
    [TestCase("2s", 2_000)]
    [TestCase("500ms", 500)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("0", 0)]
    [TestCase("-2m", -120_000)]
    public void GoDuration_TryParse_AcceptsGoSyntax(string text, long milliseconds)
    {
        Assert.That(GoDuration.TryParse(text, out var value, out _), Is.True);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("", "time: invalid duration \"\"")]
    [TestCase("5", "time: missing unit in duration \"5\"")]
    [TestCase("5 days", "time: unknown unit \" days\" in duration \"5 days\"")]
    [TestCase("abc", "time: invalid duration \"abc\"")]
    public void GoDuration_TryParse_RejectsWithGoText(string text, string error)
    {
        Assert.That(GoDuration.TryParse(text, out _, out var message), Is.False);
        Assert.That(message, Is.EqualTo(error));
    }

    [TestCase(0, "0s")]
    [TestCase(250, "250ms")]
    [TestCase(1_500, "1.5s")]
    [TestCase(3_600_000, "1h0m0s")]
    [TestCase(61_000, "1m1s")]
    public void GoDuration_Format_MatchesGo(long milliseconds, string text) =>
        Assert.That(GoDuration.FormatAsGoString(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(text));

    [TestCase("100GiB", 100L << 30)]
    [TestCase("500MB", 500_000_000L)]
    [TestCase("1024", 1024L)]
    [TestCase("1.5KiB", 1536L)]
    [TestCase("2 tb", 2_000_000_000_000L)]
    public void ByteSize_TryParse_UnderstandsUnits(string text, long bytes)
    {
        Assert.That(ByteSize.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(bytes));
    }

    [Test]
    public void ByteSize_TryParse_RejectsGarbage() => Assert.That(ByteSize.TryParse("lots", out _), Is.False);

    [Test]
    public void LabCids_Synthetic_IsDeterministicRawSha256Cidv1()
    {
        var first = LabCids.Synthetic(0);
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(LabCids.Synthetic(0)));
            Assert.That(first, Does.StartWith("bafkrei"));
            Assert.That(first, Has.Length.EqualTo(59));
            Assert.That(LabCids.Synthetic(1), Is.Not.EqualTo(first));
            Assert.That(LabCids.TryParse(first, out _, out _), Is.True);
        });
    }

    [TestCase("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", true)]
    [TestCase("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", true)]
    [TestCase("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", true)]
    [TestCase("Qm", false)]
    [TestCase("x", false)]
    [TestCase("bafy!!", false)]
    public void LabCids_TryParse_AcceptsValidCids(string text, bool valid) =>
        Assert.That(LabCids.TryParse(text, out _, out _), Is.EqualTo(valid));

    [TestCase("BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")]
    [TestCase("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", "bafkreidon73zkcrwdb5iafqtijxildoonbwnpv7dyd6ef3qdgads2jc4su")]
    public void LabCids_TryParse_CanonicalisesToBase32(string text, string canonical)
    {
        Assert.That(LabCids.TryParse(text, out var result, out _), Is.True);
        Assert.That(result, Is.EqualTo(canonical));
    }

    [Test]
    public void PinOptionsQuery_Parse_ReadsEveryOption()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues>
        {
            ["name"] = "n",
            ["mode"] = "direct",
            ["replication"] = "2",
            ["replication-min"] = "9",
            ["shard-size"] = "100",
            ["expire-at"] = "2030-01-02T03:04:05+02:00",
            ["meta-b"] = "2",
            ["meta-a"] = "1",
            ["meta-"] = "ignored",
            ["pin-update"] = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
            ["origins"] = "/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWEao8QrPvEK9XonHE25RxKwmFg3rFyn2uDcgRZnL8j4Eb",
        });

        var (request, error) = PinOptionsQuery.Parse(query, DateTimeOffset.UnixEpoch);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(request.Mode, Is.EqualTo("direct"));
            Assert.That((request.ReplicationMin, request.ReplicationMax), Is.EqualTo((2, 2)), "replication overrides min and max");
            Assert.That(request.ShardSize, Is.EqualTo(100UL));
            Assert.That(request.ExpireAt, Is.EqualTo(new DateTimeOffset(2030, 1, 2, 1, 4, 5, TimeSpan.Zero)));
            Assert.That(request.Metadata!.Select(m => m.Key), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(request.PinUpdate, Is.Not.Null);
            Assert.That(request.Origins, Has.Count.EqualTo(1));
        });
    }

    [TestCase("/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWEao8QrPvEK9XonHE25RxKwmFg3rFyn2uDcgRZnL8j4Eb", null)]
    [TestCase("/dns4/example.com/tcp/443/wss/p2p/12D3KooWEao8QrPvEK9XonHE25RxKwmFg3rFyn2uDcgRZnL8j4Eb", null)]
    [TestCase("ip4/1.2.3.4", "error decoding multiaddress: ")]
    [TestCase("/ip4/1.2.3.4/tcp", "error decoding multiaddress: ")]
    [TestCase("/foo/1", "error decoding multiaddress: ")]
    [TestCase("/ip4/1.2.3.4/tcp/1", "multiaddress does not contain peer ID: ")]
    public void LabMultiaddr_Check_NeedsParseAndPeer(string text, string? errorPrefix)
    {
        var error = LabMultiaddr.Check(text);
        Assert.That(error, errorPrefix is null ? Is.Null : Does.StartWith(errorPrefix));
    }

    [Test]
    public void LabRouter_Match_FirstRouteWinsAndWrongMethodIsReported()
    {
        var router = new LabRouter()
            .Add("POST", "/pins/recover", (_, _) => Task.CompletedTask)
            .Add("GET", "/pins/{hash}", (_, _) => Task.CompletedTask)
            .Add("POST", "/pins/{keyType:ipfs|ipns}/{path:.*}", (_, _) => Task.CompletedTask);

        var recover = router.Match("POST", "/pins/recover");
        var status = router.Match("GET", "/pins/abc");
        var path = router.Match("POST", "/pins/ipfs/a/b/c");
        var wrongMethod = router.Match("GET", "/pins/ipns/x");
        var none = router.Match("GET", "/pins/a/b");

        Assert.Multiple(() =>
        {
            Assert.That(recover.Handler, Is.Not.Null);
            Assert.That(status.Values["hash"], Is.EqualTo("abc"));
            Assert.That(path.Values["path"], Is.EqualTo("a/b/c"));
            Assert.That(path.Values["keyType"], Is.EqualTo("ipfs"));
            Assert.That((wrongMethod.Handler, wrongMethod.MethodMismatch), Is.EqualTo(((Func<HttpContext, RouteValues, Task>?)null, true)));
            Assert.That((none.Handler, none.MethodMismatch), Is.EqualTo(((Func<HttpContext, RouteValues, Task>?)null, false)));
        });
    }

    [TestCase(-1, -1, null)]
    [TestCase(1, 1, null)]
    [TestCase(2, 1, "cluster.replication_factor_min is larger than max")]
    [TestCase(-1, 3, "cluster.replication_factor_min and max must be -1 when one of them is")]
    [TestCase(0, 3, "cluster.replication_factor_min and max must be set")]
    public void ReplicationCheck_Validate_MirrorsClusterConfig(int min, int max, string? error) =>
        Assert.That(ReplicationCheck.Validate(min, max), Is.EqualTo(error));

    [Test]
    public void StatusFilter_Parse_GroupsAndIgnoresUnknown()
    {
        var filter = StatusFilter.Parse("error, queued,bogus");
        Assert.Multiple(() =>
        {
            Assert.That(StatusFilter.Matches(filter, "pin_error"), Is.True);
            Assert.That(StatusFilter.Matches(filter, "cluster_error"), Is.True);
            Assert.That(StatusFilter.Matches(filter, "unpin_queued"), Is.True);
            Assert.That(StatusFilter.Matches(filter, "pinned"), Is.False);
            Assert.That(StatusFilter.Parse("undefined"), Is.Zero);
            Assert.That(StatusFilter.Matches(0, "pinned"), Is.True);
        });
    }

    [Test]
    public void Options_Validate_ReportsEveryProblem()
    {
        var errors = new EmulatedClusterOptions { Listen = "nowhere", Peers = 0, Capacity = 0, ReplicationFactorMin = 2, ReplicationFactorMax = 1 }.Validate();
        Assert.That(errors, Has.Count.EqualTo(4));
    }
}
