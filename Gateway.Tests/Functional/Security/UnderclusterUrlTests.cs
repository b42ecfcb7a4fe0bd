using System.Text.RegularExpressions;

namespace CompositeGateway.Tests.Functional.Security;

/// <summary>
/// Arguments never change which undercluster URL is called (docs/security-outbound.md): hostile <c>arg</c> values
/// (<c>../</c>, <c>%2F</c>, <c>?</c>, <c>#</c>, unicode, paths), sent raw and escaped to every command that takes a CID,
/// and the emulator's log of request targets as received shows only the canonical REST paths.
/// </summary>
public sealed partial class UnderclusterUrlTests
{
    [Test]
    public async Task HostileArguments_OnlyCanonicalRestPathsRequested()
    {
        await using var environment = await TestEnvironment.StartAsync();
        var gateway = environment.Gateway;
        var cid = TestEnvironment.NewCid();
        Assert.That((await gateway.Go.PinAsync(cid)).Error, Is.Null);
        string[] arguments =
        [
            "../../id",
            $"{cid}/../../peers",
            $"/ipfs/{cid}/../../../peers",
            $"/ipfs/../pins/{cid}",
            $"{cid}%2F..%2F..%2Fpeers",
            $"%2Fipfs%2F{cid}",
            $"{cid}?local=true&filter=all",
            $"{cid}#fragment",
            $"{cid}\u202e",
            "ünïcødé/../x",
            $"{cid}\\..\\peers",
            $"/ipns/{cid}",
            "..%252F..%252Fpeers",
            $"{cid}%00",
        ];
        string[] commands = ["pin/add", "pin/ls", "pin/rm", "pin/update", "block/stat"];
        using var client = gateway.CreateClient();
        var sent = 0;
        foreach (var command in commands)
        {
            foreach (var argument in arguments)
            {
                // Escaped as a client library would, and raw, as a hand-written URL might be.
                foreach (var query in new[] { "arg=" + Uri.EscapeDataString(argument), "arg=" + argument })
                {
                    var second = command == "pin/update" ? "&arg=" + cid : "";
                    using var response = await client.PostAsync($"/api/v0/{command}?{query}{second}", null);
                    sent++;
                }
            }
        }

        var targets = environment.Cluster.ReceivedRequests.Select(r => r.Target).ToList();
        var unexpected = targets.Where(t => !Canonical().IsMatch(t)).Distinct().ToList();
        TestContext.Out.WriteLine($"{sent} hostile requests; the undercluster saw {targets.Count} requests, {targets.Distinct().Count()} distinct targets");
        Assert.Multiple(() =>
        {
            Assert.That(unexpected, Is.Empty, "every target is a canonical REST path");
            Assert.That(targets.Where(t => t.Split('?')[0].Contains("..", StringComparison.Ordinal) || t.Contains('#') || t.Split('?')[0].Contains('%', StringComparison.Ordinal)
                || t.Contains('\\') || t.Any(c => c > 127)), Is.Empty);
            Assert.That(targets.Where(t => t.StartsWith("/pins/", StringComparison.Ordinal) || t.StartsWith("/allocations/", StringComparison.Ordinal))
                .Select(t => t.Split('?')[0].Split('/').Last()), Has.All.EqualTo(cid), "the one CID in the arguments, canonical");
        });
    }

    /// <summary>
    /// The REST paths the gateway calls (docs/protocol/cluster-rest.md §5): fixed endpoints with a query, or a CID in
    /// canonical text (base58btc v0, base32 v1) as the one variable segment, optionally after <c>/pins/ipfs/</c>.
    /// </summary>
    [GeneratedRegex(@"^/(id|peers|version|health|token|pins|allocations)(\?[A-Za-z0-9%=&._~,-]*)?$|^/(pins|allocations)/(ipfs/)?(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{20,})(\?[A-Za-z0-9%=&._~,-]*)?$")]
    private static partial Regex Canonical();
}
