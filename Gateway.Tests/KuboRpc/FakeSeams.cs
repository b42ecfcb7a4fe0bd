using System.Runtime.CompilerServices;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;

namespace CompositeGateway.Tests.KuboRpc;

internal sealed class FakeSpaceReporter : ISpaceReporter
{
    public SpaceReportResult Result { get; set; } = SpaceReportResult.Reported(52_428_800, 10_000_000_000);

    public Task<SpaceReportResult> GetSpaceAsync(CancellationToken cancellationToken) => Task.FromResult(Result);
}

internal sealed class FakeSwarmAddresses : ISwarmAddressSource
{
    public IReadOnlyList<string> Addresses { get; set; } = [];

    public Exception? Failure { get; set; }

    public Task<IReadOnlyList<string>> GetSwarmAddressesAsync(CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<IReadOnlyList<string>>(failure) : Task.FromResult(Addresses);
}

internal sealed class FakeGarbageCollector : IGarbageCollector
{
    public IReadOnlyList<GarbageCollectedItem> Items { get; set; } = [];

    /// <summary>Ends the report after <see cref="Items"/> when set.</summary>
    public GatewayFailure? FailureAtEnd { get; set; }

    public Listing<GarbageCollectedItem> CollectAsync(CancellationToken cancellationToken) => new(report => ProduceAsync(report, cancellationToken));

    private async IAsyncEnumerable<GarbageCollectedItem> ProduceAsync(Listing<GarbageCollectedItem> report, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var item in Items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        if (FailureAtEnd is { } failure)
        {
            report.End(failure);
        }
    }
}
