using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary>The <c>placement:</c> section and the per-undercluster placement keys.</summary>
public sealed class PlacementConfigurationTests
{
    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public void LoadText_EveryKeySet_ReadsThemAll()
    {
        var result = files.Load("""
            underclusters:
              - name: eu
                url: http://127.0.0.1:9094
                replication_factor_min: 2
                replication_factor_max: 3
                weight: 2.5
                tags: [region=eu, reliable]
                required: false
                sole_gateway: true
              - name: us
                url: http://127.0.0.1:9096
            placement:
              policy: spread
              copies: 2
              repo_stat_unreachable: fail

            """);

        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var eu = result.Options!.Underclusters[0];
        Assert.Multiple(() =>
        {
            Assert.That((eu.ReplicationFactorMin, eu.ReplicationFactorMax, eu.Weight, eu.Required, eu.SoleGateway), Is.EqualTo((2, 3, 2.5, false, true)));
            Assert.That(eu.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["region"] = "eu", ["reliable"] = "" }));
            Assert.That(result.Options.Underclusters[1].Required, Is.True);
            Assert.That(result.Options.Underclusters[1].SoleGateway, Is.False, "shared unless an operator says otherwise: the settle stays");
            Assert.That(result.Options.Underclusters[1].Weight, Is.EqualTo(1));
            Assert.That(result.Options.Placement, Is.EqualTo(new PlacementOptions { Policy = PlacementPolicy.Spread, Copies = 2, RepoStatUnreachable = RepoStatUnreachable.Fail }));
        });
    }

    [Test]
    public void LoadText_SectionAbsent_ReplicateToAll()
    {
        var result = files.Load("""
            underclusters:
              - name: eu
                url: http://127.0.0.1:9094

            """);

        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.Placement, Is.EqualTo(new PlacementOptions()));
        Assert.That(result.Options.Placement.RequiredPlacements(3), Is.EqualTo(3));
    }

    [Test]
    public void LoadText_BadValues_EveryProblemWithKeyAndLine()
    {
        var result = files.Load("""
            underclusters:
              - name: eu
                url: http://127.0.0.1:9094
            placement:
              policy: sprad
              quorum: 4

            """);

        var problems = result.Problems.Select(p => $"{p.KeyPath}@{p.Line}: {p.Message}").ToList();
        TestContext.Out.WriteLine(string.Join("\n", problems));
        Assert.That(result.Succeeded, Is.False);
        Assert.That(problems, Has.Some.StartsWith("placement.policy@5: \"sprad\" must be one of: replicate, spread, failover (did you mean \"spread\"?)"));
        Assert.That(problems, Has.Some.StartsWith("placement.quorum@6: 4 is more than the 1 configured underclusters"));
    }

    [Test]
    public void LoadText_BadWeightAndReplication_Located()
    {
        var result = files.Load("""
            underclusters:
              - name: eu
                url: http://127.0.0.1:9094
                weight: 0
                replication_factor_min: 3
                replication_factor_max: 2
                required: maybe

            """);

        var problems = result.Problems.Select(p => $"{p.KeyPath}@{p.Line}: {p.Message}").ToList();
        Assert.That(problems, Has.Some.StartsWith("underclusters[0].weight@4: must be a positive number"));
        Assert.That(problems, Has.Some.StartsWith("underclusters[0].required@7: \"maybe\" must be true or false"));
    }
}
