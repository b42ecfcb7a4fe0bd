using CompositeGateway.Clusters.Wire;
using CompositeGateway.Composition;
using ClusterPinMode = CompositeGateway.Clusters.PinMode;

namespace CompositeGateway.Tests.Composition;

public sealed class OwnershipTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
    private readonly Ownership _a = new("composite-gateway/", "12D3KooWGatewayA");

    [Test]
    public void WithOwner_NewPin_AddsOwnerKeyAndCreated()
    {
        var metadata = _a.WithOwner(null, Now, markCreated: true);

        Assert.That(metadata, Is.EqualTo(new Dictionary<string, string>
        {
            ["composite-gateway/owner/12D3KooWGatewayA"] = "2025-03-04T05:06:07Z",
            ["composite-gateway/created"] = "true",
        }));
    }

    [Test]
    public void WithOwner_ExistingMetadata_PreservesOtherOwnersAndForeignKeysAndOwnTime()
    {
        var existing = new Dictionary<string, string>
        {
            ["composite-gateway/owner/12D3KooWGatewayB"] = "2025-01-01T00:00:00Z",
            ["composite-gateway/owner/12D3KooWGatewayA"] = "2024-12-31T00:00:00Z",
            ["app"] = "backup",
        };

        var merged = _a.WithOwner(existing, Now, markCreated: false);

        Assert.That(merged, Is.EqualTo(existing));
    }

    [Test]
    public void WithoutOwner_RemovesOnlyThisGatewayKey()
    {
        var existing = new Dictionary<string, string>
        {
            ["composite-gateway/owner/12D3KooWGatewayB"] = "t",
            ["composite-gateway/owner/12D3KooWGatewayA"] = "t",
            ["composite-gateway/created"] = "true",
        };

        var left = _a.WithoutOwner(existing);

        Assert.That(left.Keys, Is.EquivalentTo(new[] { "composite-gateway/owner/12D3KooWGatewayB", "composite-gateway/created" }));
        Assert.That(_a.OtherOwners(left), Is.EqualTo(new[] { "12D3KooWGatewayB" }));
        Assert.That(_a.CreatedByGateway(left), Is.True);
        Assert.That(_a.IsOwner(left), Is.False);
    }

    [Test]
    public void ForUpdatedPin_CopiedOwnersOfSource_OnlyThisGatewayAndForeignKeysRemain()
    {
        var copied = new Dictionary<string, string>
        {
            ["composite-gateway/owner/12D3KooWGatewayB"] = "t",
            ["composite-gateway/owner/12D3KooWGatewayA"] = "t",
            ["app"] = "x",
        };

        var metadata = _a.ForUpdatedPin(copied, Now);

        Assert.That(metadata.Keys, Is.EquivalentTo(new[] { "composite-gateway/owner/12D3KooWGatewayA", "composite-gateway/created", "app" }));
    }

    [Test]
    public void Repost_StoredPin_CopiesEveryOptionAndReplacesOnlyMetadata()
    {
        var expire = Now.AddDays(3);
        var stored = new ClusterPin
        {
            Cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
            Name = "backup-42",
            ReplicationFactorMin = 2,
            ReplicationFactorMax = 3,
            ExpireAt = expire,
            Origins = ["/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWOrigin"],
            MaxDepth = 0,
            Metadata = new Dictionary<string, string> { ["app"] = "x" },
        };
        var metadata = _a.WithOwner(stored.Metadata, Now, markCreated: false);

        var request = PinRewrite.Repost(stored, metadata, mode: null, Now);

        Assert.Multiple(() =>
        {
            Assert.That(request.Name, Is.EqualTo("backup-42"));
            Assert.That(request.Mode, Is.EqualTo(ClusterPinMode.Direct));
            Assert.That((request.ReplicationMin, request.ReplicationMax), Is.EqualTo((2, 3)));
            Assert.That(request.ExpireAt, Is.EqualTo(expire));
            Assert.That(request.Origins, Is.EqualTo(stored.Origins));
            Assert.That(request.Metadata, Is.SameAs(metadata));
        });
    }

    [Test]
    public void Repost_DirectPinWantedRecursive_UpgradesMode()
    {
        var stored = new ClusterPin { MaxDepth = 0 };

        Assert.That(PinRewrite.Repost(stored, new Dictionary<string, string>(), CompositeGateway.Clusters.PinMode.Recursive, Now).Mode, Is.EqualTo(ClusterPinMode.Recursive));
        Assert.That(PinRewrite.Covers(stored, CompositeGateway.Clusters.PinMode.Recursive), Is.False);
        Assert.That(PinRewrite.Covers(new ClusterPin { MaxDepth = -1 }, CompositeGateway.Clusters.PinMode.Direct), Is.True);
    }

    [Test]
    public void Repost_ExpiryInThePast_Dropped()
    {
        var stored = new ClusterPin { ExpireAt = Now.AddSeconds(-1) };

        Assert.That(PinRewrite.Repost(stored, new Dictionary<string, string>(), null, Now).ExpireAt, Is.Null);
    }
}
