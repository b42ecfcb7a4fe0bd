using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using CompositeGateway.Go;
using CompositeGateway.Lab;
using CompositeGateway.Lab.Connector;

namespace CompositeGateway.Cli;

/// <summary>
/// <c>composite-gateway emulate</c>: runs one or more emulated ipfs-cluster REST APIs (the lab) until
/// Ctrl-C, printing one line per cluster with its URL. <c>--bench N</c> instead measures streaming
/// N pins and exits.
/// </summary>
internal static class EmulateCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "host:port of the (first) cluster's REST API; port 0 = any free port.", DefaultValueFactory = _ => "127.0.0.1:9094" };
        var peers = new Option<int>("--peers") { Description = "Simulated peers per cluster.", DefaultValueFactory = _ => 3 };
        var clusters = new Option<int>("--clusters") { Description = "Number of emulated clusters (lab-0, lab-1, …).", DefaultValueFactory = _ => 1 };
        var basePort = new Option<int?>("--base-port") { Description = "With --clusters: cluster i listens on base-port + i (0 = any free port each). Default: the --listen port." };
        var pinDelay = new Option<string>("--pin-delay") { Description = "Time a pin takes on each peer (Go duration: 2s, 500ms); 0 = at once.", DefaultValueFactory = _ => "0s" };
        var capacity = new Option<string>("--capacity") { Description = "Repo capacity per simulated peer (100GiB, 500MB).", DefaultValueFactory = _ => "100GiB" };
        var pinSize = new Option<string>("--pin-size") { Description = "Bytes counted per pin of unknown content on each holding peer.", DefaultValueFactory = _ => "1MiB" };
        var auth = new Option<string[]>("--basic-auth") { Description = "user:password accepted by the REST API (repeatable); enables authentication.", AllowMultipleArgumentsPerToken = false };
        var tokenLifetime = new Option<string?>("--token-lifetime") { Description = "Lab: tokens from POST /token expire after this long (Go duration, ≥ 1s); default: never, as ipfs-cluster." };
        var requireBearer = new Option<bool>("--require-bearer") { Description = "Lab: refuse Basic credentials everywhere but POST /token, so clients must use their token." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve the REST API over TLS with this PEM certificate (with --tls-key)." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var tlsClientCa = new Option<string?>("--tls-client-ca") { Description = "Lab: with --tls-cert, require a client certificate chaining to this PEM CA bundle (mTLS)." };
        var replicationMin = new Option<int>("--replication-min") { Description = "Cluster default replication_factor_min (-1 = every peer).", DefaultValueFactory = _ => -1 };
        var replicationMax = new Option<int>("--replication-max") { Description = "Cluster default replication_factor_max (-1 = every peer).", DefaultValueFactory = _ => -1 };
        var randomSeed = new Option<int?>("--random-seed") { Description = "Seed for the simulated peer IDs (same IDs every run)." };
        var seed = new Option<int>("--seed-pins") { Description = "Synthetic pins to preload into every cluster.", DefaultValueFactory = _ => 0 };
        var latency = new Option<string?>("--latency") { Description = "Fault: latency added to every request (Go duration)." };
        var jitter = new Option<string?>("--jitter") { Description = "Fault: random extra latency up to this duration." };
        var errorRate = new Option<double?>("--error-rate") { Description = "Fault: fraction of requests answered 500." };
        var hangRate = new Option<double?>("--hang-rate") { Description = "Fault: fraction of requests that never answer." };
        var pinErrorRate = new Option<double?>("--pin-error-rate") { Description = "Fault: fraction of (pin, peer) attempts ending in pin_error." };
        var pinErrorCids = new Option<string[]>("--pin-error-cid") { Description = "Fault: CID whose pins fail on every peer (repeatable)." };
        var dropStream = new Option<int?>("--drop-stream-after") { Description = "Fault: abort streams after N items." };
        var downPeers = new Option<int[]>("--down-peer") { Description = "Fault: index of a simulated peer forced down (repeatable)." };
        var faultsJson = new Option<string?>("--faults") { Description = "Fault: a JSON body as for POST /_lab/faults (merged under the flags above)." };
        var keepBlockBytes = new Option<bool>("--keep-block-bytes") { Description = "Keep the bytes of added blocks (false: only CIDs, sizes, links, holders; for big benchmarks).", DefaultValueFactory = _ => true };
        var requireBlocks = new Option<bool>("--require-blocks") { Description = "A pin stays pinning until every block of its DAG is held by some peer of the cluster." };
        var ipfsListen = new Option<string?>("--ipfs-listen") { Description = "host:port of the (first) cluster's IPFS facet, a Kubo RPC API over the blocks it holds (cluster i: port + i; 0 = any free port)." };
        var ipfsApi = new Option<string[]>("--ipfs-api") { Description = "Kubo RPC API (http://host:port) the peers' IPFS daemon is: peers then pin through it as ipfs-cluster v1.1.6 peers do. One value for every cluster, or one per cluster." };
        var peerIpfsApi = new Option<string[]>("--peer-ipfs-api") { Description = "Kubo RPC API of peer i's daemon, in peer order (repeatable; every cluster); overrides --ipfs-api for that peer." };
        var pinTimeout = new Option<string>("--pin-timeout") { Description = "With --ipfs-api: ipfshttp.pin_timeout, the pin/add progress stall limit (Go duration).", DefaultValueFactory = _ => "2m0s" };
        var requestTimeout = new Option<string>("--ipfs-request-timeout") { Description = "With --ipfs-api: ipfshttp.ipfs_request_timeout (Go duration).", DefaultValueFactory = _ => "5m0s" };
        var recoverInterval = new Option<string>("--recover-interval") { Description = "With --ipfs-api: pin_recover_interval (Go duration).", DefaultValueFactory = _ => "12m0s" };
        var bench = new Option<int?>("--bench") { Description = "Benchmark: seed N pins, stream GET /pins and GET /allocations, print items/s and RSS, exit." };

        var command = new Command("emulate", "Run emulated ipfs-cluster REST APIs (the lab undercluster) until Ctrl-C.")
        {
            listen, peers, clusters, basePort, pinDelay, capacity, pinSize, auth, tokenLifetime, requireBearer, tlsCert, tlsKey, tlsClientCa, replicationMin, replicationMax, randomSeed, seed,
            latency, jitter, errorRate, hangRate, pinErrorRate, pinErrorCids, dropStream, downPeers, faultsJson, keepBlockBytes, requireBlocks, ipfsListen, ipfsApi, peerIpfsApi, pinTimeout, requestTimeout, recoverInterval, bench,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var errors = new List<string>();

            var faults = new LabFaults();
            if (parse.GetValue(faultsJson) is { } json)
            {
                try
                {
                    faults = JsonSerializer.Deserialize(json, LabJsonContext.Default.LabFaults) ?? faults;
                }
                catch (JsonException e)
                {
                    errors.Add("--faults: " + e.Message);
                }
            }

            faults = faults.Merge(new LabFaults
            {
                Latency = Duration(parse.GetValue(latency), "--latency", errors),
                Jitter = Duration(parse.GetValue(jitter), "--jitter", errors),
                ErrorRate = parse.GetValue(errorRate),
                HangRate = parse.GetValue(hangRate),
                PinErrorRate = parse.GetValue(pinErrorRate),
                PinErrorCids = parse.GetValue(pinErrorCids) is { Length: > 0 } failing ? failing : null,
                DropStreamAfter = parse.GetValue(dropStream),
                DownPeers = parse.GetValue(downPeers) is { Length: > 0 } down ? down : null,
            });

            var credentials = ParseCredentials(parse.GetValue(auth), errors);
            var template = new EmulatedClusterOptions
            {
                Listen = parse.GetValue(listen)!,
                Peers = parse.GetValue(peers),
                Capacity = Size(parse.GetValue(capacity)!, "--capacity", errors),
                NominalPinSize = Size(parse.GetValue(pinSize)!, "--pin-size", errors),
                PinDelay = Duration(parse.GetValue(pinDelay), "--pin-delay", errors) ?? TimeSpan.Zero,
                ReplicationFactorMin = parse.GetValue(replicationMin),
                ReplicationFactorMax = parse.GetValue(replicationMax),
                BasicAuth = credentials,
                TokenLifetime = Duration(parse.GetValue(tokenLifetime), "--token-lifetime", errors),
                RequireBearer = parse.GetValue(requireBearer),
                Tls = Tls(parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(tlsClientCa), errors),
                RandomSeed = parse.GetValue(randomSeed),
                Faults = faults,
                KeepBlockBytes = parse.GetValue(keepBlockBytes),
                RequireBlocks = parse.GetValue(requireBlocks),
                IpfsListen = parse.GetValue(ipfsListen),
                PeerIpfsApis = parse.GetValue(peerIpfsApi) is { Length: > 0 } perPeer ? perPeer : null,
                Connector = new GoIpfsConnectorOptions
                {
                    PinTimeout = Duration(parse.GetValue(pinTimeout), "--pin-timeout", errors) ?? TimeSpan.FromMinutes(2),
                    IpfsRequestTimeout = Duration(parse.GetValue(requestTimeout), "--ipfs-request-timeout", errors) ?? TimeSpan.FromMinutes(5),
                },
                RecoverInterval = Duration(parse.GetValue(recoverInterval), "--recover-interval", errors) ?? TimeSpan.FromMinutes(12),
            };
            var daemons = parse.GetValue(ipfsApi) ?? [];

            var count = parse.GetValue(clusters);
            if (count is < 1 or > 100)
            {
                errors.Add("--clusters: must be within 1..100");
            }

            if (daemons.Length > 1 && daemons.Length != count)
            {
                errors.Add($"--ipfs-api: give one URL for every cluster or one per cluster ({count}), not {daemons.Length}");
            }

            var all = new List<EmulatedClusterOptions>();
            if (EmulatedClusterOptions.TryParseListen(template.Listen, out var first))
            {
                var port = parse.GetValue(basePort) ?? first.Port;
                var ipfsFirst = template.IpfsListen is { } ipfsText && EmulatedClusterOptions.TryParseListen(ipfsText, out var parsedIpfs) ? parsedIpfs : null;
                for (var i = 0; i < Math.Max(count, 1); i++)
                {
                    var clusterPort = port == 0 ? 0 : port + i;
                    all.Add(template with
                    {
                        Name = $"lab-{i}",
                        Listen = $"{Host(first.Address)}:{clusterPort}",
                        RandomSeed = template.RandomSeed + i,
                        IpfsApi = daemons.Length == 0 ? null : daemons[Math.Min(i, daemons.Length - 1)],
                        IpfsListen = ipfsFirst is null ? template.IpfsListen : $"{Host(ipfsFirst.Address)}:{(ipfsFirst.Port == 0 ? 0 : ipfsFirst.Port + i)}",
                    });
                }
            }

            errors.AddRange(template.Validate().Concat(all.SelectMany(o => o.Validate())).Select(e => "--" + e));
            errors.AddRange(faults.Validate().Select(e => "faults: " + e));
            if (errors.Count > 0)
            {
                foreach (var e in errors.Distinct())
                {
                    await error.WriteLineAsync("emulate: " + e);
                }

                return 2;
            }

            if (parse.GetValue(bench) is { } benchPins)
            {
                return await LabBenchmark.RunAsync(all[0] with { Listen = $"{Host(first.Address)}:0" }, benchPins, output, cancellationToken);
            }

            // Program.cs leaves SIGTERM/SIGINT to the command (ProcessTerminationTimeout = null), and no
            // web host owns this process: without these handlers only SIGKILL would stop it.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            return await LabRunner.RunAsync(all, parse.GetValue(seed), output, stop.Token);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    private static LabTlsOptions? Tls(string? certificate, string? key, string? clientCa, List<string> errors)
    {
        if (certificate is null && key is null)
        {
            if (clientCa is not null)
            {
                errors.Add("--tls-client-ca: needs --tls-cert and --tls-key");
            }

            return null;
        }

        if (certificate is null || key is null)
        {
            errors.Add("--tls-cert and --tls-key: give both");
            return null;
        }

        return new LabTlsOptions { CertificateFile = Path.GetFullPath(certificate), KeyFile = Path.GetFullPath(key), ClientCaFile = clientCa is null ? null : Path.GetFullPath(clientCa) };
    }

    private static string Host(System.Net.IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static TimeSpan? Duration(string? text, string flag, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var value, out var error))
        {
            errors.Add($"{flag}: {error}");
            return null;
        }

        return value;
    }

    private static long Size(string text, string flag, List<string> errors)
    {
        if (!ByteSize.TryParse(text, out var bytes))
        {
            errors.Add($"{flag}: '{text}' is not a size such as 100GiB or 500MB");
        }

        return bytes;
    }

    private static Dictionary<string, string>? ParseCredentials(string[]? values, List<string> errors)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == value.Length - 1)
            {
                errors.Add($"--basic-auth: '{value}' is not user:password");
                continue;
            }

            credentials[value[..colon]] = value[(colon + 1)..];
        }

        return credentials;
    }
}
