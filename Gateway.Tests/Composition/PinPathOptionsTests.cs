using CompositeGateway.Composition;

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

        Assert.That(options.Validate(), Is.EqualTo(new[]
        {
            "pin_path.poll_interval: must be positive",
            "pin_path.poll_batch_size: must be at least 1",
            "pin_path.replication_min/replication_max: must both be -1 when one of them is",
            "pin_path.metadata_prefix: must be non-empty and contain no '='",
        }));
    }
}
