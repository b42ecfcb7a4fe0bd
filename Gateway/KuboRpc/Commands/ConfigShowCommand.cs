using System.Globalization;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>config/show</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.14): no v1.1.6 component calls it; answered with a minimal config whose
/// <c>Datastore.StorageMax</c> is the same number <c>repo/stat</c> reports, in Kubo's human form.
/// </summary>
internal static class ConfigShowCommand
{
    private static readonly (string Unit, ulong Size)[] Units =
    [
        ("TB", 1_000_000_000_000),
        ("GB", 1_000_000_000),
        ("MB", 1_000_000),
        ("kB", 1_000),
    ];

    public static KuboCommand Definition { get; } = new("config/show", [], [], HandleAsync);

    /// <summary>
    /// Bytes in the largest SI unit that divides them exactly (<c>10GB</c>, <c>1500MB</c>, else <c>123B</c>),
    /// so go-humanize's <c>ParseBytes</c> — what Kubo applies to this key — gives back the same number.
    /// </summary>
    public static string FormatStorageMax(ulong bytes)
    {
        foreach (var (unit, size) in Units)
        {
            if (bytes > 0 && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }

    private static async Task HandleAsync(KuboCall call)
    {
        var (_, storageMax, failure) = await RepoStatCommand.ReadSpaceAsync(call);
        if (failure is not null)
        {
            await call.FailAsync(failure);
            return;
        }

        var output = new ConfigShowOutput(
            new ConfigIdentity(call.Service<INodeIdentity>().PeerId),
            new ConfigDatastore(FormatStorageMax(storageMax)));
        await call.Http.Response.WriteAsJsonAsync(output, KuboJsonContext.Wire.ConfigShowOutput, "application/json", call.Aborted);
    }
}
