using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary>The <c>pin_path:</c> section: values parsed by the loader, rules from <see cref="PinPathOptions.Validate"/>, located by line.</summary>
public sealed class PinPathConfigurationTests
{
    private const string Minimal = """
        underclusters:
          - name: local
            url: http://127.0.0.1:9094
        pin_path:

        """;

    private const string Duration = "is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms";

    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    /// <summary>The file with the given lines under <c>pin_path:</c> (line 4), so the first of them is line 5.</summary>
    private static string WithPinPath(params string[] lines) => Minimal + string.Concat(lines.Select(l => "  " + l + "\n"));

    [TestCase("")]
    [TestCase("pin_path: {}\n")]
    public void LoadText_SectionAbsentOrEmpty_RecordDefaults(string section)
    {
        var result = files.Load(Minimal.Replace("pin_path:\n", section, StringComparison.Ordinal));
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath, Is.EqualTo(new PinPathOptions()));
    }

    [Test]
    public void LoadText_SectionWithoutKeys_RecordDefaults()
    {
        var result = files.Load(Minimal);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath, Is.EqualTo(new PinPathOptions()));
    }

    [Test]
    public void LoadText_EveryKeySet_ReadsThemAll()
    {
        var result = files.Load(WithPinPath(
            "pin_wait: accepted",
            "pinned_when: all-allocated",
            "wait_limit: 0s",
            "poll_interval: 250ms",
            "poll_batch_size: 20",
            "poll_batch_chars: 2000",
            "unreachable_after: 2m",
            "replication_min: 2",
            "replication_max: 3",
            "metadata_prefix: gw-a/",
            "unpin_recheck_delay: 0s",
            "addresses_cache: 1m",
            "max_addresses: 0"));
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath, Is.EqualTo(new PinPathOptions
        {
            PinWait = PinWaitMode.Accepted,
            PinnedWhen = PinnedWhen.AllAllocated,
            WaitLimit = TimeSpan.Zero,
            PollInterval = TimeSpan.FromMilliseconds(250),
            PollBatchSize = 20,
            PollBatchChars = 2000,
            UnreachableAfter = TimeSpan.FromMinutes(2),
            ReplicationMin = 2,
            ReplicationMax = 3,
            MetadataPrefix = "gw-a/",
            UnpinRecheckDelay = TimeSpan.Zero,
            AddressesCache = TimeSpan.FromMinutes(1),
            MaxAddresses = 0,
        }));
    }

    [TestCase("pinned_when: 3", 3)]
    [TestCase("pinned_when: \"1\"", 1)]
    public void LoadText_PinnedWhenNumber_CountRule(string line, int peers)
    {
        var result = files.Load(WithPinPath(line));
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath.PinnedWhen, Is.EqualTo(PinnedWhen.Count(peers)));
    }

    [TestCase(-1, -1)]
    [TestCase(1, 1)]
    [TestCase(0, 0)]
    public void LoadText_ReplicationClusterAccepts_Loaded(int min, int max)
    {
        var result = files.Load(WithPinPath($"replication_min: {min}", $"replication_max: {max}"));
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That((result.Options!.PinPath.ReplicationMin, result.Options.PinPath.ReplicationMax), Is.EqualTo((min, max)));
    }

    [TestCase("pinnned", "pin_path.pin_wait (line 5): \"pinnned\" must be one of: pinned, accepted (did you mean \"pinned\"?)")]
    [TestCase("Accepted", "pin_path.pin_wait (line 5): \"Accepted\" must be one of: pinned, accepted (did you mean \"accepted\"?)")]
    [TestCase("eventually", "pin_path.pin_wait (line 5): \"eventually\" must be one of: pinned, accepted")]
    public void LoadText_BadPinWait_ListsValues(string value, string expected)
    {
        Assert.That(files.Problems(WithPinPath($"pin_wait: {value}")), Is.EqualTo(new[] { expected }));
    }

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("most")]
    public void LoadText_BadPinnedWhen_ListsForms(string value)
    {
        Assert.That(files.Problems(WithPinPath($"pinned_when: \"{value}\"")), Is.EqualTo(new[]
        {
            $"pin_path.pinned_when (line 5): \"{value}\" is not min, all-allocated or a number of peers (1 or more)",
        }));
    }

    [TestCase("wait_limit")]
    [TestCase("poll_interval")]
    [TestCase("unreachable_after")]
    [TestCase("unpin_recheck_delay")]
    [TestCase("addresses_cache")]
    public void LoadText_DurationKeyNotADuration_Rejected(string key)
    {
        Assert.That(files.Problems(WithPinPath($"{key}: 30")), Is.EqualTo(new[] { $"pin_path.{key} (line 5): \"30\" {Duration}" }));
    }

    [TestCase("wait_limit: -1s", "pin_path.wait_limit (line 5): must not be negative; 0 means no limit (was -1s)")]
    [TestCase("poll_interval: 0s", "pin_path.poll_interval (line 5): must be greater than 0 (was 0s)")]
    [TestCase("poll_interval: -250ms", "pin_path.poll_interval (line 5): must be greater than 0 (was -250ms)")]
    [TestCase("unreachable_after: -1m", "pin_path.unreachable_after (line 5): must not be negative; 0 fails a wait at the first failed poll (was -1m)")]
    [TestCase("unpin_recheck_delay: -1ms", "pin_path.unpin_recheck_delay (line 5): must not be negative; 0 re-reads at once (was -1ms)")]
    [TestCase("addresses_cache: -30s", "pin_path.addresses_cache (line 5): must not be negative; 0 asks the undercluster every time (was -30s)")]
    public void LoadText_DurationOutOfRange_Rejected(string line, string expected)
    {
        Assert.That(files.Problems(WithPinPath(line)), Is.EqualTo(new[] { expected }));
    }

    [TestCase("poll_batch_size", "1.5")]
    [TestCase("poll_batch_chars", "ten")]
    [TestCase("max_addresses", "99999999999")]
    [TestCase("replication_min", "2x")]
    public void LoadText_IntegerKeyNotAWholeNumber_Rejected(string key, string value)
    {
        Assert.That(files.Problems(WithPinPath($"{key}: {value}")), Is.EqualTo(new[]
        {
            $"pin_path.{key} (line 5): \"{value}\" is not a whole number from -2147483648 to 2147483647",
        }));
    }

    [TestCase("poll_batch_size: 0", "pin_path.poll_batch_size (line 5): must be at least 1 (was 0)")]
    [TestCase("poll_batch_chars: 127", "pin_path.poll_batch_chars (line 5): must be at least 128 (was 127)")]
    [TestCase("max_addresses: -1", "pin_path.max_addresses (line 5): must be at least 0 (was -1)")]
    public void LoadText_IntegerOutOfRange_Rejected(string line, string expected)
    {
        Assert.That(files.Problems(WithPinPath(line)), Is.EqualTo(new[] { expected }));
    }

    [TestCase(new[] { "replication_min: 3", "replication_max: 2" },
        "pin_path.replication_min (line 5): is larger than replication_max (replication_min 3, replication_max 2)")]
    [TestCase(new[] { "replication_max: 2", "replication_min: 3" },
        "pin_path.replication_min (line 6): is larger than replication_max (replication_min 3, replication_max 2)")]
    [TestCase(new[] { "replication_min: -1", "replication_max: 3" },
        "pin_path.replication_max (line 6): replication_min and replication_max must both be -1 when one of them is (replication_min -1, replication_max 3)")]
    [TestCase(new[] { "replication_max: -1" },
        "pin_path.replication_max (line 5): replication_min and replication_max must both be -1 when one of them is (replication_min 0, replication_max -1)")]
    [TestCase(new[] { "replication_min: 2" },
        "pin_path.replication_min (line 5): set both replication_min and replication_max, or neither for the undercluster's default (replication_min 2, replication_max 0)")]
    [TestCase(new[] { "replication_min: 0", "replication_max: 3" },
        "pin_path.replication_max (line 6): set both replication_min and replication_max, or neither for the undercluster's default (replication_min 0, replication_max 3)")]
    [TestCase(new[] { "replication_min: -2", "replication_max: 3" },
        "pin_path.replication_min (line 5): must be -1 (every peer), 0 (the undercluster's default) or a number of peers (was -2)")]
    public void LoadText_ReplicationClusterWouldRefuse_BlamesTheKeyWritten(string[] lines, string expected)
    {
        Assert.That(files.Problems(WithPinPath(lines)), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void LoadText_ReplicationMinUnparsable_NoRuleJudgedOnTheDefault()
    {
        // With the default 0 standing in for "lots", replication_max: 3 alone would break "both or neither".
        Assert.That(files.Problems(WithPinPath("replication_min: lots", "replication_max: 3")), Is.EqualTo(new[]
        {
            "pin_path.replication_min (line 5): \"lots\" is not a whole number from -2147483648 to 2147483647",
        }));
    }

    [TestCase("\"a b/\"")]
    [TestCase("\"k=v/\"")]
    public void LoadText_MetadataPrefixWithSeparator_Rejected(string value)
    {
        Assert.That(files.Problems(WithPinPath($"metadata_prefix: {value}")), Is.EqualTo(new[]
        {
            $"pin_path.metadata_prefix (line 5): {value} must contain no '=' and no whitespace",
        }));
    }

    [Test]
    public void LoadText_MetadataPrefixEmpty_Rejected()
    {
        Assert.That(files.Problems(WithPinPath("metadata_prefix: \"\"")), Is.EqualTo(new[] { "pin_path.metadata_prefix (line 5): must not be empty" }));
    }

    [Test]
    public void LoadText_UnknownKeys_SuggestOrList()
    {
        Assert.That(files.Problems(WithPinPath("pin_wiat: accepted", "batch: 3")), Is.EqualTo(new[]
        {
            "pin_path.pin_wiat (line 5): unknown key; did you mean \"pin_wait\"?",
            "pin_path.batch (line 6): unknown key; known keys here: pin_wait, pinned_when, wait_limit, poll_interval, poll_batch_size, "
            + "poll_batch_chars, unreachable_after, replication_min, replication_max, metadata_prefix, unpin_recheck_delay, addresses_cache, max_addresses",
        }));
    }

    [Test]
    public void LoadText_SectionNotAMapping_Rejected()
    {
        Assert.That(files.Problems(Minimal.Replace("pin_path:\n", "pin_path: fast\n", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "pin_path (line 4): must be a mapping of pin path settings (pin_wait, pinned_when, wait_limit, poll_interval, poll_batch_size, "
            + "poll_batch_chars, unreachable_after, replication_min, replication_max, metadata_prefix, unpin_recheck_delay, addresses_cache, max_addresses)",
        }));
    }

    [Test]
    public void LoadText_ManyProblems_AllReportedInFileOrder()
    {
        Assert.That(files.Problems(WithPinPath(
            "pin_wait: soon",
            "poll_interval: 0s",
            "poll_batch_size: none",
            "poll_batch_chars: 10",
            "replication_min: 5",
            "replication_max: 4",
            "metadata_prefix: \"x y\"") + "kubo_rpc:\n  progress_interval: 5s\n"), Is.EqualTo(new[]
        {
            "pin_path.pin_wait (line 5): \"soon\" must be one of: pinned, accepted",
            "pin_path.poll_interval (line 6): must be greater than 0 (was 0s)",
            "pin_path.poll_batch_size (line 7): \"none\" is not a whole number from -2147483648 to 2147483647",
            "pin_path.poll_batch_chars (line 8): must be at least 128 (was 10)",
            "pin_path.replication_min (line 9): is larger than replication_max (replication_min 5, replication_max 4)",
            "pin_path.metadata_prefix (line 11): \"x y\" must contain no '=' and no whitespace",
            "kubo_rpc.progress_interval (line 13): must be greater than 0 and at most 1s, like Kubo's own progress ticks (was 5s)",
        }));
    }

    [Test]
    public void Load_EnvironmentOverrides_SetEveryKind()
    {
        var result = files.Load(WithPinPath("pin_wait: pinned", "wait_limit: 1h"), new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_PIN_PATH_PIN_WAIT"] = "accepted",
            ["COMPOSITE_GATEWAY_PIN_PATH_PINNED_WHEN"] = "2",
            ["COMPOSITE_GATEWAY_PIN_PATH_WAIT_LIMIT"] = "10m",
            ["COMPOSITE_GATEWAY_PIN_PATH_POLL_INTERVAL"] = "2s",
            ["COMPOSITE_GATEWAY_PIN_PATH_POLL_BATCH_SIZE"] = "50",
            ["COMPOSITE_GATEWAY_PIN_PATH_POLL_BATCH_CHARS"] = "3000",
            ["COMPOSITE_GATEWAY_PIN_PATH_UNREACHABLE_AFTER"] = "1m",
            ["COMPOSITE_GATEWAY_PIN_PATH_REPLICATION_MIN"] = "-1",
            ["COMPOSITE_GATEWAY_PIN_PATH_REPLICATION_MAX"] = "-1",
            ["COMPOSITE_GATEWAY_PIN_PATH_METADATA_PREFIX"] = "gw-b/",
            ["COMPOSITE_GATEWAY_PIN_PATH_UNPIN_RECHECK_DELAY"] = "1s",
            ["COMPOSITE_GATEWAY_PIN_PATH_ADDRESSES_CACHE"] = "5s",
            ["COMPOSITE_GATEWAY_PIN_PATH_MAX_ADDRESSES"] = "8",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath, Is.EqualTo(new PinPathOptions
        {
            PinWait = PinWaitMode.Accepted,
            PinnedWhen = PinnedWhen.Count(2),
            WaitLimit = TimeSpan.FromMinutes(10),
            PollInterval = TimeSpan.FromSeconds(2),
            PollBatchSize = 50,
            PollBatchChars = 3000,
            UnreachableAfter = TimeSpan.FromMinutes(1),
            ReplicationMin = -1,
            ReplicationMax = -1,
            MetadataPrefix = "gw-b/",
            UnpinRecheckDelay = TimeSpan.FromSeconds(1),
            AddressesCache = TimeSpan.FromSeconds(5),
            MaxAddresses = 8,
        }));
    }

    [Test]
    public void Load_EnvironmentOverrideWithoutSection_CreatesIt()
    {
        var result = files.Load(Minimal.Replace("pin_path:\n", "", StringComparison.Ordinal), new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_PIN_PATH_WAIT_LIMIT"] = "0s",
        });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.PinPath, Is.EqualTo(new PinPathOptions { WaitLimit = TimeSpan.Zero }));
    }

    [Test]
    public void Load_BadEnvironmentOverrides_NameTheVariable()
    {
        Assert.That(files.Problems(WithPinPath("replication_max: 3"), new Dictionary<string, string>
        {
            ["COMPOSITE_GATEWAY_PIN_PATH_POLL_BATCH_SIZE"] = "0",
            ["COMPOSITE_GATEWAY_PIN_PATH_PIN_WAIT"] = "maybe",
            ["COMPOSITE_GATEWAY_PIN_PATH_REPLICATION_MIN"] = "4",
            ["COMPOSITE_GATEWAY_PIN_PATH_WAIT_LIMT"] = "1m",
        }), Is.EqualTo(new[]
        {
            "COMPOSITE_GATEWAY_PIN_PATH_WAIT_LIMT: unknown setting; did you mean COMPOSITE_GATEWAY_PIN_PATH_WAIT_LIMIT?",
            "pin_path.pin_wait (from COMPOSITE_GATEWAY_PIN_PATH_PIN_WAIT): \"maybe\" must be one of: pinned, accepted",
            "pin_path.poll_batch_size (from COMPOSITE_GATEWAY_PIN_PATH_POLL_BATCH_SIZE): must be at least 1 (was 0)",
            "pin_path.replication_min (from COMPOSITE_GATEWAY_PIN_PATH_REPLICATION_MIN): is larger than replication_max (replication_min 4, replication_max 3)",
        }));
    }
}
