using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary>The <c>kubo_rpc:</c> section: values parsed by the loader, rules from <see cref="KuboRpcOptions.Validate"/>, located by line.</summary>
public sealed class KuboRpcConfigurationTests
{
    private const string Minimal = """
        underclusters:
          - name: local
            url: http://127.0.0.1:9094

        """;

    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [TestCase("")]
    [TestCase("kubo_rpc:\n")]
    public void LoadText_SectionAbsentOrEmpty_RecordDefaults(string section)
    {
        var result = files.Load(Minimal + section);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.KuboRpc, Is.EqualTo(new KuboRpcOptions()));
    }

    [TestCase("1s", 1000)]
    [TestCase("100ms", 100)]
    public void LoadText_ProgressIntervalInRange_Loaded(string value, int milliseconds)
    {
        var result = files.Load(Minimal + $"kubo_rpc:\n  progress_interval: {value}\n");
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.KuboRpc.ProgressInterval, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("0s", "0s")]
    [TestCase("-1s", "-1s")]
    [TestCase("1001ms", "1.001s")]
    [TestCase("2m", "2m")]
    public void LoadText_ProgressIntervalOutOfRange_Rejected(string value, string shown)
    {
        Assert.That(files.Problems(Minimal + $"kubo_rpc:\n  progress_interval: {value}\n"), Is.EqualTo(new[]
        {
            $"kubo_rpc.progress_interval (line 5): must be greater than 0 and at most 1s, like Kubo's own progress ticks (was {shown})",
        }));
    }

    [Test]
    public void LoadText_ProgressIntervalNotADuration_Rejected()
    {
        Assert.That(files.Problems(Minimal + "kubo_rpc:\n  progress_interval: 500\n"), Is.EqualTo(new[]
        {
            "kubo_rpc.progress_interval (line 5): \"500\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms",
        }));
    }

    [Test]
    public void LoadText_UnknownKey_Suggests()
    {
        Assert.That(files.Problems(Minimal + "kubo_rpc:\n  progress_intervals: 1s\n"), Is.EqualTo(new[]
        {
            "kubo_rpc.progress_intervals (line 5): unknown key; did you mean \"progress_interval\"?",
        }));
    }

    [Test]
    public void LoadText_SectionNotAMapping_Rejected()
    {
        Assert.That(files.Problems(Minimal + "kubo_rpc: [progress_interval]\n"), Is.EqualTo(new[]
        {
            "kubo_rpc (line 4): must be a mapping of Kubo RPC settings (progress_interval, forward, http_headers, extract_headers_extra, extract_headers_ttl, authorizations, unauthenticated_listen)",
        }));
    }

    [Test]
    public void Load_EnvironmentOverride_ReplacesFileValue()
    {
        var result = files.Load(Minimal + "kubo_rpc:\n  progress_interval: 1s\n", new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_KUBO_RPC_PROGRESS_INTERVAL"] = "250ms",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.KuboRpc.ProgressInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public void Load_EnvironmentOverrideOutOfRange_NamesVariable()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string> { ["COMPOSITE_GATEWAY_KUBO_RPC_PROGRESS_INTERVAL"] = "3s" }), Is.EqualTo(new[]
        {
            "kubo_rpc.progress_interval (from COMPOSITE_GATEWAY_KUBO_RPC_PROGRESS_INTERVAL): must be greater than 0 and at most 1s, like Kubo's own progress ticks (was 3s)",
        }));
    }

    [Test]
    public void Load_WholeSectionFromEnvironment_Refused()
    {
        Assert.That(files.Problems(Minimal, new Dictionary<string, string> { ["COMPOSITE_GATEWAY_KUBO_RPC"] = "fast" }), Is.EqualTo(new[]
        {
            "kubo_rpc (from COMPOSITE_GATEWAY_KUBO_RPC): is a section: override its keys one by one, e.g. COMPOSITE_GATEWAY_KUBO_RPC_PROGRESS_INTERVAL",
        }));
    }
}
