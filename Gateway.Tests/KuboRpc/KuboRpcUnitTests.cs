using CompositeGateway.Configuration;
using CompositeGateway.KuboRpc;
using CompositeGateway.KuboRpc.Commands;

namespace CompositeGateway.Tests.KuboRpc;

public sealed class KuboRpcUnitTests
{
    [TestCase("", true)]
    [TestCase("1", true)]
    [TestCase("t", true)]
    [TestCase("T", true)]
    [TestCase("TRUE", true)]
    [TestCase("true", true)]
    [TestCase("True", true)]
    [TestCase("0", false)]
    [TestCase("f", false)]
    [TestCase("F", false)]
    [TestCase("FALSE", false)]
    [TestCase("false", false)]
    [TestCase("False", false)]
    public void TryParseBool_GoForms_Parsed(string text, bool expected)
    {
        Assert.That(KuboRequestParser.TryParseBool(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("yes")]
    [TestCase("2")]
    [TestCase(" true")]
    [TestCase("on")]
    public void TryParseBool_Other_Refused(string text) =>
        Assert.That(KuboRequestParser.TryParseBool(text, out _), Is.False);

    [TestCase(10_000_000_000UL, "10GB")]
    [TestCase(1_500_000_000UL, "1500MB")]
    [TestCase(2_000_000_000_000UL, "2TB")]
    [TestCase(4_000UL, "4kB")]
    [TestCase(1_234_567UL, "1234567B")]
    [TestCase(0UL, "0B")]
    [TestCase(9_223_372_036_854_775_807UL, "9223372036854775807B")]
    public void FormatStorageMax_Bytes_ExactHumanForm(ulong bytes, string expected) =>
        Assert.That(ConfigShowCommand.FormatStorageMax(bytes), Is.EqualTo(expected));

    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(1001)]
    public void Validate_ProgressIntervalOutOfRange_NamesKey(int milliseconds) =>
        Assert.That(new KuboRpcOptions { ProgressInterval = TimeSpan.FromMilliseconds(milliseconds) }.Validate().Select(p => p.Key), Is.EqualTo(new[] { "progress_interval" }));

    [Test]
    public void Validate_Defaults_Valid() => Assert.That(new KuboRpcOptions().Validate(), Is.Empty);

    [TestCase("pin/ls", "pin/ls", null)]
    [TestCase("pin/ls/QmX", "pin/ls", "QmX")]
    [TestCase("id/", "id", null)]
    [TestCase("repo/stat", "repo/stat", null)]
    public void TryResolve_Paths_CommandAndSlashArgument(string path, string command, string? argument)
    {
        Assert.That(KuboCommandTable.TryResolve(path, out var found, out var pathArgument), Is.True);
        Assert.That(found!.Path, Is.EqualTo(command));
        Assert.That(pathArgument, Is.EqualTo(argument));
    }

    [TestCase("pin")]
    [TestCase("pin/add/ipfs/QmX")]
    [TestCase("")]
    [TestCase("object/get")]
    public void TryResolve_Unknown_False(string path) =>
        Assert.That(KuboCommandTable.TryResolve(path, out _, out _), Is.False);

    [Test]
    public void TryParseCid_V0Path_StaysV0()
    {
        var cid = TestCids.V0("x");

        Assert.That(KuboPaths.TryParseCid("/ipfs/" + cid + "/", out var parsed, out _), Is.True);
        Assert.That(parsed!.ToString(), Is.EqualTo(cid.ToString()));
    }
}
