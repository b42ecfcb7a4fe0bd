using System.Runtime.Versioning;
using CompositeGateway.Identity;

namespace CompositeGateway.Tests.Identity;

[UnsupportedOSPlatform("windows")]
public sealed class IdentityKeyFileTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp() => folder = Path.Combine(Path.GetTempPath(), "cg-identity-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void LoadOrCreate_Absent_CreatesOwnerOnlyFileAndReloadsSameId()
    {
        var path = Path.Combine(folder, "nested", "identity.key");
        var first = IdentityKeyFile.LoadOrCreate(path);
        Assert.That(first.Succeeded, Is.True, first.Error);
        var second = IdentityKeyFile.LoadOrCreate(path);
        Assert.That(second.Succeeded, Is.True, second.Error);
        Assert.Multiple(() =>
        {
            Assert.That(first.Created, Is.True);
            Assert.That(second.Created, Is.False);
            Assert.That(second.Identity!.PeerId, Is.EqualTo(first.Identity!.PeerId));
            Assert.That(second.Warnings, Is.Empty);
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.ReadAllText(path), Does.Contain("# Peer ID: " + first.Identity.PeerId));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1), "no temporary file left behind");
        });
    }

    [Test]
    public void LoadOrCreate_SeveralMissingFolders_Every0neCreated0700()
    {
        // Three levels the gateway creates: the test folder itself, "a" and "b".
        var path = Path.Combine(folder, "a", "b", "identity.key");
        var result = IdentityKeyFile.LoadOrCreate(path);
        Assert.That(result.Succeeded, Is.True, result.Error);

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Multiple(() =>
        {
            foreach (var created in new[] { folder, Path.Combine(folder, "a"), Path.Combine(folder, "a", "b") })
            {
                Assert.That(File.GetUnixFileMode(created), Is.EqualTo(Private), created);
            }

            Assert.That(File.GetUnixFileMode(Path.GetTempPath()), Is.Not.EqualTo(Private), "an existing folder above is left as it was");
        });
    }

    [Test]
    public void Load_KuboStylePrivKey_Accepted()
    {
        // The spec vector's PrivateKey, as Kubo would hold it in Identity.PrivKey.
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "id.key");
        File.WriteAllText(path, Convert.ToBase64String(Convert.FromHexString(
            "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var result = IdentityKeyFile.LoadOrCreate(path);
        Assert.That(result.Identity?.PeerId.ToString(), Is.EqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"), result.Error);
    }

    [Test]
    public void Load_WorldReadable_WarnsButLoads()
    {
        var path = Path.Combine(folder, "id.key");
        Assert.That(IdentityKeyFile.LoadOrCreate(path).Succeeded, Is.True);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = IdentityKeyFile.LoadOrCreate(path);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Warnings, Is.EqualTo(new[]
        {
            $"identity file {path} is accessible to group or others (mode 644); it holds a private key: chmod 600 {path}",
        }));
    }

    [Test]
    public void Load_Garbage_ErrorAndFileUntouched()
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "id.key");
        File.WriteAllText(path, "hello\nworld\n");
        var result = IdentityKeyFile.LoadOrCreate(path);
        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error, Is.EqualTo($"identity file {path} is not an identity key: expected one line of base64 (a libp2p PrivateKey) besides # comments"));
            Assert.That(File.ReadAllText(path), Is.EqualTo("hello\nworld\n"));
        });
    }

    [Test]
    public void Load_Truncated_ErrorNamesReason()
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "id.key");
        File.WriteAllText(path, Convert.ToBase64String([0x08, 0x01, 0x12, 0x20, .. new byte[32]]));
        Assert.That(IdentityKeyFile.LoadOrCreate(path).Error,
            Is.EqualTo($"identity file {path} is not a usable identity key: Ed25519 private key data must be 64 bytes (seed and public key), not 32"));
    }
}
