using System.Runtime.InteropServices;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>version</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.15): never sent by the Go connector, but by ipfsproxy (to learn headers) and Kubo clients.
/// Reports the gateway's own version in Kubo's shape; <c>System</c> uses Go's <c>GOARCH/GOOS</c> names.
/// </summary>
internal static class VersionInfoCommand
{
    public static KuboCommand Definition { get; } = new(
        "version",
        [],
        [
            new KuboOption("number", KuboOptionKind.Bool, "n"),
            new KuboOption("commit", KuboOptionKind.Bool),
            new KuboOption("repo", KuboOptionKind.Bool),
            new KuboOption("all", KuboOptionKind.Bool),
        ],
        HandleAsync);

    public static VersionOutput Current { get; } = new(
        ProductInfo.Version,
        Commit: "",
        Repo: "0",
        System: $"{GoArch()}/{GoOs()}",
        Golang: RuntimeInformation.FrameworkDescription);

    private static Task HandleAsync(KuboCall call) =>
        call.Http.Response.WriteAsJsonAsync(Current, KuboJsonContext.Wire.VersionOutput, "application/json", call.Aborted);

    private static string GoArch() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.X86 => "386",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string GoOs() =>
        OperatingSystem.IsLinux() ? "linux"
        : OperatingSystem.IsWindows() ? "windows"
        : OperatingSystem.IsMacOS() ? "darwin"
        : OperatingSystem.IsFreeBSD() ? "freebsd"
        : "unknown";
}
