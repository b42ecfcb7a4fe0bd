using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Composition;

public sealed class PinPathOptionsTests
{
    [Test]
    public void Validate_Defaults_NoProblems()
    {
        Assert.That(new PinPathOptions().Validate(), Is.Empty);
    }

    [Test]
    public void Validate_SeveralProblems_AllReportedNamingTheirKeys()
    {
        var options = new PinPathOptions
        {
            PollInterval = TimeSpan.Zero,
            PollBatchSize = 0,
            ReplicationMin = -1,
            ReplicationMax = 2,
            MetadataPrefix = "",
        };

        Assert.That(options.Validate().Select(p => p.ToString()), Is.EqualTo(new[]
        {
            "poll_interval: must be greater than 0 (was 0s)",
            "poll_batch_size: must be at least 1 (was 0)",
            "replication_max: replication_min and replication_max must both be -1 when one of them is (replication_min -1, replication_max 2)",
            "metadata_prefix: must not be empty: it tells this gateway's metadata keys from everyone else's",
        }));
    }

    [TestCase(0, 0)]
    [TestCase(-1, -1)]
    [TestCase(1, 1)]
    [TestCase(2, 3)]
    public void Validate_ReplicationAsClusterAccepts_NoProblems(int min, int max)
    {
        Assert.That(new PinPathOptions { ReplicationMin = min, ReplicationMax = max }.Validate(), Is.Empty);
    }

    [TestCase(-2, 3, "replication_min", null)]
    [TestCase(-1, 0, "replication_max", "replication_min")]
    [TestCase(2, -1, "replication_min", "replication_max")]
    [TestCase(0, 3, "replication_max", "replication_min")]
    [TestCase(3, 0, "replication_min", "replication_max")]
    [TestCase(3, 2, "replication_min", "replication_max")]
    public void Validate_ReplicationClusterWouldRefuse_BlamesKeyAndRelatedKey(int min, int max, string key, string? related)
    {
        var problem = new PinPathOptions { ReplicationMin = min, ReplicationMax = max }.Validate().Single();
        Assert.That((problem.Key, problem.RelatedKey), Is.EqualTo((key, related)));
    }

    [TestCase("a=b/")]
    [TestCase("my gateway/")]
    [TestCase("gw\t")]
    public void Validate_MetadataPrefixWithSeparator_Refused(string prefix)
    {
        Assert.That(new PinPathOptions { MetadataPrefix = prefix }.Validate(), Is.EqualTo(new[]
        {
            new OptionProblem("metadata_prefix", $"\"{prefix}\" must contain no '=' and no whitespace"),
        }));
    }
}
