using CompositeGateway.Composition;

namespace CompositeGateway.Tests.Composition;

public sealed class KeyedLockTests
{
    [Test]
    public async Task AcquireAsync_SameKey_SerialisedAndEntryDroppedAfterwards()
    {
        var locks = new KeyedLock();
        var first = await locks.AcquireAsync("a", CancellationToken.None);
        var second = locks.AcquireAsync("a", CancellationToken.None);
        var other = await locks.AcquireAsync("b", CancellationToken.None);

        Assert.That(second.IsCompleted, Is.False);
        first.Dispose();
        (await second).Dispose();
        other.Dispose();
        Assert.That(locks.Count, Is.Zero);
    }

    [Test]
    public async Task AcquireAsync_CancelledWhileWaiting_ReleasesItsReference()
    {
        var locks = new KeyedLock();
        using var held = await locks.AcquireAsync("a", CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = locks.AcquireAsync("a", cts.Token);

        await cts.CancelAsync();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        held.Dispose();
        Assert.That(locks.Count, Is.Zero);
    }
}
