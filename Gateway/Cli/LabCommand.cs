using System.CommandLine;
using System.Runtime.InteropServices;
using CompositeGateway.Go;
using CompositeGateway.Lab.Connector;
using CompositeGateway.Lab.Topology;

namespace CompositeGateway.Cli;

/// <summary>
/// <c>composite-gateway lab up TOPOLOGY</c>: emulated clusters and real gateways wired as a built-in topology or a
/// YAML file says (docs/development/lab-topologies.md), running until Ctrl-C or SIGTERM.
/// </summary>
internal static class LabCommand
{
    public static Command Create()
    {
        var topology = new Argument<string>("topology") { Description = "multi-ring, cylinder, inverse-multi-ring, pyramid, inception, or a YAML file of clusters, peers and gateways." };
        var pinDelay = new Option<string>("--pin-delay") { Description = "Time a pin takes on each peer of the bottom clusters (Go duration).", DefaultValueFactory = _ => "200ms" };
        var pinTimeout = new Option<string>("--pin-timeout") { Description = "Overcluster peers' ipfshttp.pin_timeout (pin/add progress stall limit).", DefaultValueFactory = _ => "2m0s" };
        var requestTimeout = new Option<string>("--ipfs-request-timeout") { Description = "Overcluster peers' ipfshttp.ipfs_request_timeout.", DefaultValueFactory = _ => "5m0s" };
        var recoverInterval = new Option<string>("--recover-interval") { Description = "Overcluster peers' pin_recover_interval.", DefaultValueFactory = _ => "10s" };
        var up = new Command("up", "Start a topology of emulated clusters and real gateways; print addresses and a Mermaid picture; run until Ctrl-C.")
        {
            topology, pinDelay, pinTimeout, requestTimeout, recoverInterval,
        };
        up.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var errors = new List<string>();
            var name = parse.GetValue(topology)!;
            var chosen = LabTopology.BuiltIn(name) ?? (File.Exists(name) ? LabTopologyFile.Load(name, errors) : null);
            if (chosen is null && errors.Count == 0)
            {
                errors.Add($"'{name}' is neither a built-in topology ({string.Join(", ", LabTopology.BuiltInNames)}) nor a file");
            }

            var settings = new LabUpSettings
            {
                PinDelay = Duration(parse.GetValue(pinDelay)!, "--pin-delay", errors),
                Connector = new GoIpfsConnectorOptions
                {
                    PinTimeout = Duration(parse.GetValue(pinTimeout)!, "--pin-timeout", errors),
                    IpfsRequestTimeout = Duration(parse.GetValue(requestTimeout)!, "--ipfs-request-timeout", errors),
                    RecordSent = false,
                },
                RecoverInterval = Duration(parse.GetValue(recoverInterval)!, "--recover-interval", errors),
                Logging = CommonOptions.Logging(parse),
            };
            errors.AddRange(chosen?.Validate() ?? []);
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    await error.WriteLineAsync("lab up: " + e);
                }

                return ExitCodes.Usage;
            }

            // No web host owns this process's signals (Program.cs leaves them to the command): stop on both.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            LabTopologyHost? lab = null;
            try
            {
                lab = await LabTopologyHost.StartAsync(chosen!, settings, loggerFactory: null, stop.Token);
                await output.WriteAsync(lab.Describe());
                await output.WriteLineAsync("running; Ctrl-C stops everything");
                await output.FlushAsync(stop.Token);
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM: the normal way out.
            }
            catch (IOException e)
            {
                await error.WriteLineAsync("lab up: cannot listen: " + e.Message);
                return ExitCodes.Failure;
            }
            finally
            {
                if (lab is not null)
                {
                    await lab.DisposeAsync();
                }
            }

            await output.WriteLineAsync("stopped");
            return ExitCodes.Ok;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });

        return new Command("lab", "Whole composite clusters on one machine (emulated clusters + real gateways).") { up };
    }

    private static TimeSpan Duration(string text, string flag, List<string> errors)
    {
        if (!GoDuration.TryParse(text, out var value, out var problem))
        {
            errors.Add($"{flag}: {problem}");
        }

        return value;
    }
}
