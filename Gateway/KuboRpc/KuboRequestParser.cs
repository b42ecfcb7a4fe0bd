using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Primitives;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// Turns a query string into a <see cref="KuboCall"/> the way go-ipfs-cmds' <c>http/parse.go</c> does:
/// <c>arg</c> values are positional arguments; unknown keys are kept and ignored (the Go peer sends
/// <c>max-depth=</c>, kubo-rpc-client a stray <c>paths=</c>: docs/protocol/kubo-rpc-as-called-by-cluster.md §4.3); known
/// options must have one value and parse as their type; failures are client errors (HTTP 400, Code 1).
/// </summary>
internal static class KuboRequestParser
{
    public static bool TryParse(
        HttpContext http,
        IServiceProvider services,
        KuboCommand command,
        string? pathArgument,
        [NotNullWhen(true)] out KuboCall? call,
        [NotNullWhen(false)] out KuboFailure? failure)
    {
        call = null;
        var arguments = new List<string>();
        if (pathArgument is not null)
        {
            arguments.Add(pathArgument);
        }

        var options = new Dictionary<string, object>(StringComparer.Ordinal);
        var seenAs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in http.Request.Query)
        {
            if (key == "arg")
            {
                foreach (var value in values)
                {
                    arguments.Add(value ?? "");
                }

                continue;
            }

            var option = Find(command, key);
            if (option is null)
            {
                continue;
            }

            if (seenAs.TryGetValue(option.Name, out var other))
            {
                failure = KuboFailure.Client($"duplicate command options were provided (\"{other}\" and \"{key}\")");
                return false;
            }

            seenAs[option.Name] = key;
            if (values.Count > 1)
            {
                failure = KuboFailure.Client($"expected key {option.Name} to have only a single value, received [{string.Join(' ', values.ToArray())}]");
                return false;
            }

            var text = values.ToString();
            if (option.Kind == KuboOptionKind.String)
            {
                options[option.Name] = text;
            }
            else if (option.Kind == KuboOptionKind.Int)
            {
                // go-ipfs-cmds converts with strconv.ParseInt(v, 0, 32).
                if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    failure = KuboFailure.Client($"could not convert value \"{text}\" to type \"int\" (for option \"-{option.Name}\")");
                    return false;
                }

                options[option.Name] = number;
            }
            else if (TryParseBool(text, out var flag))
            {
                options[option.Name] = flag;
            }
            else
            {
                // go-ipfs-cmds request.go checkAndConvertOptions wording (an empty value already means true).
                failure = KuboFailure.Client($"could not convert value \"{text}\" to type \"bool\" (for option \"-{option.Name}\")");
                return false;
            }
        }

        if (!TryCheckArguments(command, arguments, out failure))
        {
            return false;
        }

        call = new KuboCall(http, services, command, arguments, options);
        return true;
    }

    /// <summary>
    /// go-ipfs-cmds' bool converter: an empty value means true (<c>?progress</c>), otherwise the lower-cased
    /// text must be one of Go <c>strconv.ParseBool</c>'s forms.
    /// </summary>
    public static bool TryParseBool(StringValues value, out bool result)
    {
        var text = value.ToString();
        switch (text.ToLowerInvariant())
        {
            case "":
            case "1":
            case "t":
            case "true":
                result = true;
                return true;
            case "0":
            case "f":
            case "false":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    private static KuboOption? Find(KuboCommand command, string key)
    {
        foreach (var option in command.Options)
        {
            if (option.Name == key || option.Alias == key)
            {
                return option;
            }
        }

        return null;
    }

    // Required arguments must be present (go-ipfs-cmds command.go checkArgValue wording). Values beyond the
    // last non-variadic argument are ignored, as Kubo's parser leaves them unused.
    private static bool TryCheckArguments(KuboCommand command, List<string> arguments, [NotNullWhen(false)] out KuboFailure? failure)
    {
        var required = 0;
        foreach (var argument in command.Arguments)
        {
            if (!argument.Required)
            {
                continue;
            }

            required++;
            if (arguments.Count < required)
            {
                failure = KuboFailure.Client($"argument \"{argument.Name}\" is required");
                return false;
            }
        }

        failure = null;
        return true;
    }
}
