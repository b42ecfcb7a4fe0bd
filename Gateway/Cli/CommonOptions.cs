using System.CommandLine;
using CompositeGateway.Configuration;
using CompositeGateway.Hosting;

namespace CompositeGateway.Cli;

/// <summary>Options shared by several commands, and reading the configuration the way every command does.</summary>
internal static class CommonOptions
{
    public const string DefaultConfigFile = "gateway.yaml";

    private static readonly Dictionary<string, LogLevel> Levels = new(StringComparer.Ordinal)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["information"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
    };

    private const string LogFormatName = "--log-format";
    private const string LogLevelName = "--log-level";

    /// <summary>A fresh <c>--config</c> option (System.CommandLine wants one instance per command).</summary>
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = $"Configuration file (default: ./{DefaultConfigFile}). Relative paths in it resolve against its folder.",
        HelpName = "file",
    };

    public static LoggingOptions Logging(ParseResult parse) => new()
    {
        Format = parse.GetValue<string>(LogFormatName) == "json" ? LogFormat.Json : LogFormat.Text,
        Level = Levels[parse.GetValue<string>(LogLevelName) ?? "information"],
    };

    /// <summary>Loads and validates the configuration; on problems prints every one to stderr and returns null.</summary>
    public static GatewayOptions? LoadConfiguration(ParseResult parse, Option<string?> config, IReadOnlyDictionary<string, string> environment)
    {
        var error = parse.InvocationConfiguration.Error;
        var path = parse.GetValue(config);
        if (path is null && !File.Exists(DefaultConfigFile))
        {
            error.WriteLine($"error: no --config given and there is no {DefaultConfigFile} in {Directory.GetCurrentDirectory()}");
            return null;
        }

        var result = GatewayConfigurationLoader.LoadFile(path ?? DefaultConfigFile, environment);
        if (result.Succeeded)
        {
            return result.Options;
        }

        var file = Path.GetFullPath(path ?? DefaultConfigFile);
        error.WriteLine($"error: {file}: {result.Problems.Count} configuration problem{(result.Problems.Count == 1 ? "" : "s")}:");
        foreach (var problem in result.Problems)
        {
            error.WriteLine($"  {problem}");
        }

        return null;
    }

    /// <summary><c>--log-format text|json</c>, for the root command (recursive: valid after any subcommand).</summary>
    public static Option<string> CreateLogFormat()
    {
        var option = new Option<string>(LogFormatName)
        {
            Description = "Console log format.",
            DefaultValueFactory = _ => "text",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    /// <summary><c>--log-level</c>, for the root command (recursive).</summary>
    public static Option<string> CreateLogLevel()
    {
        var option = new Option<string>(LogLevelName)
        {
            Description = "Lowest level logged.",
            DefaultValueFactory = _ => "information",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. Levels.Keys]);
        return option;
    }
}
