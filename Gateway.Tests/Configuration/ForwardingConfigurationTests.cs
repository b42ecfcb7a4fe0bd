using CompositeGateway.Configuration;

namespace CompositeGateway.Tests.Configuration;

/// <summary><c>underclusters[].ipfs_api</c> and the forwarding keys of <c>kubo_rpc</c>: loaded, validated by line, overridable.</summary>
public sealed class ForwardingConfigurationTests
{
    private const string Minimal = """
        underclusters:
          - name: eu
            url: http://10.0.0.5:9094
            ipfs_api: "http://10.0.0.5:5001"

        """;

    private ConfigurationTestFiles files = null!;

    [SetUp]
    public void SetUp() => files = new ConfigurationTestFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public void LoadText_TaskExample_Loaded()
    {
        var result = files.Load(Minimal + """
            kubo_rpc:
              forward:
                commands: [cat, get, ls, block/get]
              http_headers:
                Access-Control-Allow-Origin: ["https://webui.example.org"]
                Access-Control-Allow-Methods: ["POST"]
              extract_headers_extra: [X-Custom]
              extract_headers_ttl: 1m
            """);
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        var kubo = result.Options!.KuboRpc;
        Assert.Multiple(() =>
        {
            Assert.That(result.Options.Underclusters[0].IpfsApi, Is.EqualTo(new Uri("http://10.0.0.5:5001")));
            Assert.That(kubo.Forward.Commands, Is.EqualTo(new[] { "cat", "get", "ls", "block/get" }));
            Assert.That(kubo.HttpHeaders["access-control-allow-origin"], Is.EqualTo(new[] { "https://webui.example.org" }));
            Assert.That(kubo.ExtractHeadersExtra, Is.EqualTo(new[] { "X-Custom" }));
            Assert.That(kubo.ExtractHeadersTtl, Is.EqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public void LoadText_Defaults_ReadOnlyCommandsNoHeaders()
    {
        var result = files.Load(Minimal);
        Assert.That(result.Options!.KuboRpc.Forward.Commands, Is.EqualTo(ForwardOptions.ReadOnlyCommands));
        Assert.That(result.Options.KuboRpc.HttpHeaders, Is.Empty);
    }

    [Test]
    public void LoadText_BadValues_EveryProblemWithLine()
    {
        Assert.That(files.Problems("""
            underclusters:
              - name: eu
                url: http://10.0.0.5:9094
                ipfs_api: "http://10.0.0.5:5001/api/v0"
            kubo_rpc:
              forward:
                commands: [cat, "Bad Command", pin/add]
              http_headers:
                Content-Length: ["1"]
                X-Empty: []
              extract_headers_ttl: 0s
            """), Is.EqualTo(new[]
        {
            "underclusters[0].ipfs_api (line 4): is the daemon's base URL without /api/v0, e.g. http://10.0.0.5:5001",
            "kubo_rpc.forward.commands (line 7): \"Bad Command\" is not a command path: write it as in /api/v0/<path>, e.g. cat or block/get (or \"*\" for everything)",
            "kubo_rpc.http_headers (line 9): \"Content-Length\" describes the message itself and cannot be set for every answer",
            "kubo_rpc.http_headers (line 9): X-Empty: needs a list of one or more non-empty values on one line, e.g. [\"value\"]",
            "kubo_rpc.extract_headers_ttl (line 11): must be greater than 0 (was 0s)",
        }));
    }

    [Test]
    public void Environment_CommandsCommaSeparated_Override()
    {
        var result = files.Load(Minimal, new Dictionary<string, string> { ["COMPOSITE_GATEWAY_KUBO_RPC_FORWARD_COMMANDS"] = "cat, dag/get" });
        Assert.That(result.Succeeded, Is.True, string.Join("\n", result.Problems));
        Assert.That(result.Options!.KuboRpc.Forward.Commands, Is.EqualTo(new[] { "cat", "dag/get" }));
    }

    [TestCase("cat", "cat")]
    [TestCase("cat/QmArg", "cat")]
    [TestCase("block/get/bafk", "block/get")]
    [TestCase("block/put", null)]
    [TestCase("config/replace", null)]
    public void Match_OneTrailingArgumentSegment(string path, string? expected) =>
        Assert.That(new ForwardOptions().Match(path), Is.EqualTo(expected));

    [Test]
    public void Match_Wildcard_AnyCommandPath() =>
        Assert.That(new ForwardOptions { Commands = ["*"] }.Match("config/replace"), Is.EqualTo("config/replace"));
}
