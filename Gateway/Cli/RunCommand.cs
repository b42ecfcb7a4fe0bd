using System.CommandLine;
using CompositeGateway.Hosting;
using CompositeGateway.Identity;

namespace CompositeGateway.Cli;

/// <summary><c>run</c>: serve the Kubo RPC API and the admin endpoints until SIGTERM/SIGINT. Also the root command's action.</summary>
internal static class RunCommand
{
    public const string Description = "Run the gateway (the default when no command is given).";

    public static Command Create(IReadOnlyDictionary<string, string> environment)
    {
        var command = new Command("run", Description);
        Attach(command, environment);
        return command;
    }

    /// <summary>Gives <paramref name="command"/> a <c>--config</c> option and the run action.</summary>
    public static void Attach(Command command, IReadOnlyDictionary<string, string> environment)
    {
        var config = CommonOptions.Config();
        command.Options.Add(config);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, config, environment, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string?> config, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        if (CommonOptions.LoadConfiguration(parse, config, environment) is not { } options)
        {
            return ExitCodes.Usage;
        }

        var identity = IdentityKeyFile.LoadOrCreate(options.IdentityFile);
        if (!identity.Succeeded)
        {
            await error.WriteLineAsync($"error: {identity.Error}");
            return ExitCodes.Usage;
        }

        await using var host = GatewayHost.Create(options, identity, CommonOptions.Logging(parse));
        try
        {
            // SIGTERM/SIGINT are handled by the host's console lifetime (graceful, within shutdown_timeout);
            // the token lets an embedding caller (tests) stop it too.
            await host.RunAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // Kestrel reports an address in use or a bad socket path this way.
            await error.WriteLineAsync($"error: cannot listen: {e.Message}");
            await WriteTraceAsync(parse, error, e);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One line for the operator; the stack trace only when asked for (--log-level debug or trace).
            await error.WriteLineAsync($"error: the gateway stopped: {e.GetType().Name}: {e.Message}");
            await WriteTraceAsync(parse, error, e);
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static async Task WriteTraceAsync(ParseResult parse, TextWriter error, Exception e)
    {
        if (CommonOptions.Logging(parse).Level <= LogLevel.Debug)
        {
            await error.WriteLineAsync(e.ToString());
        }
    }
}
