using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>swarm/peers</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.11) and <c>swarm/connect</c> (§4.4). The gateway has no libp2p swarm: it lists no
/// peers (so never an invalid peer ID), and accepts connect requests as a documented no-op — the undercluster
/// daemons keep their own swarm connections, and the Go peer only logs this call's outcome.
/// </summary>
internal static class SwarmCommands
{
    public static KuboCommand Peers { get; } = new(
        "swarm/peers",
        [],
        [
            new KuboOption("verbose", KuboOptionKind.Bool, "v"),
            new KuboOption("streams", KuboOptionKind.Bool),
            new KuboOption("latency", KuboOptionKind.Bool),
            new KuboOption("direction", KuboOptionKind.Bool),
            new KuboOption("identify", KuboOptionKind.Bool),
        ],
        call => call.Http.Response.WriteAsJsonAsync(new SwarmPeersOutput([]), KuboJsonContext.Wire.SwarmPeersOutput, "application/json", call.Aborted));

    public static KuboCommand Connect { get; } = new(
        "swarm/connect",
        [new KuboArgument("address", Required: true, Variadic: true)],
        [],
        ConnectAsync);

    private static async Task ConnectAsync(KuboCall call)
    {
        var logger = call.Service<ILoggerFactory>().CreateLogger(typeof(SwarmCommands));
        var lines = new List<string>(call.Arguments.Count);
        foreach (var address in call.Arguments)
        {
            if (PeerOf(address) is not { } peer)
            {
                // Kubo needs the peer ID in the address (go-libp2p AddrInfosFromP2pAddrs).
                await call.FailAsync(KuboFailure.Normal("invalid peer address: invalid p2p multiaddr"));
                return;
            }

            KuboRpcLog.SwarmConnectIgnored(logger, address);
            lines.Add($"connect {peer} success");
        }

        await call.Http.Response.WriteAsJsonAsync(new StringsOutput(lines), KuboJsonContext.Wire.StringsOutput, "application/json", call.Aborted);
    }

    // The value after the last /p2p/ (or legacy /ipfs/) component of a multiaddress.
    private static string? PeerOf(string address)
    {
        var parts = address.Split('/');
        for (var i = parts.Length - 2; i >= 1; i--)
        {
            if (parts[i] is "p2p" or "ipfs" && parts[i + 1].Length > 0)
            {
                return parts[i + 1];
            }
        }

        return null;
    }
}
