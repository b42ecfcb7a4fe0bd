using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using CompositeGateway.Go;

namespace CompositeGateway.Configuration;

/// <summary>
/// How one key's value is written: parsed from a YAML scalar (or list of scalars), shown by <c>check-config</c> and in
/// docs/configuration.md. Ranges and rules between keys are the options records' <c>Validate</c> business.
/// </summary>
internal sealed class KeyKind
{
    private KeyKind(Func<object, string> plain, Func<string, string> yaml)
    {
        Plain = plain;
        Yaml = (_, plainText) => yaml(plainText);
    }

    /// <summary>Parses one scalar; null means the loader reads this key by hand (URLs, secrets, listen addresses).</summary>
    public ParseScalar? Parse { get; private init; }

    /// <summary>The value as docs/configuration.md writes its default (<c>30s</c>, <c>min</c>, <c>cat, get</c>).</summary>
    public Func<object, string> Plain { get; }

    /// <summary>The value as YAML, for <c>check-config</c>.</summary>
    public Func<object, string, string> Yaml { get; private init; }

    /// <summary>A list of plain values: one comma-separated environment variable.</summary>
    public bool IsList { get; private init; }

    /// <summary>A mapping whose keys are the user's own (header names).</summary>
    public bool IsMap { get; private init; }

    public delegate object? ParseScalar(string text, out string? error);

    public static KeyKind Text { get; } = new(v => (string)v, Quote) { Parse = Accept };

    /// <summary>Read by the loader itself (listen addresses, URLs, secrets); shown quoted.</summary>
    public static KeyKind Special { get; } = new(v => v is Uri uri ? uri.AbsoluteUri : v.ToString()!, Quote);

    public static KeyKind Integer { get; } = new(v => ((int)v).ToString(CultureInfo.InvariantCulture), Bare)
    {
        Parse = (string text, out string? error) => Result(
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value), value, out error,
            string.Create(CultureInfo.InvariantCulture, $"\"{text}\" is not a whole number from {int.MinValue} to {int.MaxValue}")),
    };

    public static KeyKind Number { get; } = new(v => ((double)v).ToString("R", CultureInfo.InvariantCulture), Bare)
    {
        Parse = (string text, out string? error) => Result(
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value), value, out error, $"\"{text}\" is not a number"),
    };

    public static KeyKind Boolean { get; } = new(v => (bool)v ? "true" : "false", Bare)
    {
        Parse = (string text, out string? error) => Result(text is "true" or "false", text == "true", out error, $"\"{text}\" must be true or false"),
    };

    /// <summary>Any duration, negative included; for values whose range an options record checks.</summary>
    public static KeyKind Duration { get; } = DurationKind(null);

    /// <summary>A duration greater than 0.</summary>
    public static KeyKind PositiveDuration { get; } = DurationKind(false);

    /// <summary>A duration of 0 or more.</summary>
    public static KeyKind NonNegativeDuration { get; } = DurationKind(true);

    public static KeyKind PinnedWhenRule { get; } = new(v => v.ToString()!, Quote)
    {
        Parse = (string text, out string? error) => PinnedWhen.Parse(text, out error),
    };

    /// <summary>An absolute http or https URL without credentials, query or fragment (a collector's address).</summary>
    public static KeyKind HttpUrl { get; } = new(v => ((Uri)v).AbsoluteUri, Quote)
    {
        Parse = (string text, out string? error) =>
        {
            var ok = Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0
                && url.UserInfo.Length == 0 && url.Query.Length == 0 && url.Fragment.Length == 0;
            return Result(ok, url, out error, $"\"{text}\" must be an absolute http or https URL without credentials, query or fragment, e.g. http://127.0.0.1:4317");
        },
    };

    /// <summary>A list of non-empty plain values.</summary>
    public static KeyKind List { get; } = new(v => ((IEnumerable<string>)v) is var items && items.Any() ? string.Join(", ", items) : "[]", _ => "")
    {
        IsList = true,
        Parse = Accept,
        Yaml = (v, _) => FlowList((IEnumerable<string>)v),
    };

    /// <summary><c>tags</c>: a list of <c>key=value</c> or <c>key</c> strings, kept as a mapping split at the first '='.</summary>
    public static KeyKind Tags { get; } = new(v => TagTexts(v) is var items && items.Any() ? string.Join(", ", items) : "[]", _ => "")
    {
        IsList = true,
        Parse = Accept,
        Yaml = (v, _) => FlowList(TagTexts(v)),
    };

    /// <summary><c>http_headers</c>: header name → list of values.</summary>
    public static KeyKind HeaderMap { get; } = new(v => ((IReadOnlyDictionary<string, IReadOnlyList<string>>)v).Count == 0 ? "{}" : "…", _ => "")
    {
        IsMap = true,
        Yaml = (v, _) => ((IReadOnlyDictionary<string, IReadOnlyList<string>>)v) is { Count: > 0 } map
            ? "{" + string.Join(", ", map.Select(h => $"{Quote(h.Key)}: {FlowList(h.Value)}")) + "}"
            : "{}",
    };

    /// <summary><c>kubo_rpc.authorizations</c>: name → secret source and allowed paths; the secret itself is never shown.</summary>
    public static KeyKind AuthorizationMap { get; } = new(v => ((IReadOnlyList<KuboAuthorization>)v).Count == 0 ? "{}" : "…", _ => "")
    {
        IsMap = true,
        Yaml = (v, _) => ((IReadOnlyList<KuboAuthorization>)v) is { Count: > 0 } list
            ? "{" + string.Join(", ", list.Select(a => $"{Quote(a.Name)}: {{secret: {Quote($"<from {a.SecretSource}>")}, allowed_paths: {FlowList(a.AllowedPaths)}}}")) + "}"
            : "{}",
    };

    /// <summary>One of fixed names, each standing for a value of <typeparamref name="T"/>.</summary>
    public static KeyKind Choice<T>(IReadOnlyDictionary<string, T> names)
        where T : struct => new(v => names.First(n => n.Value.Equals(v)).Key, Bare)
        {
            Parse = (string text, out string? error) =>
            {
                var closest = names.ContainsKey(text) ? null : KeySuggestion.Closest(text, names.Keys);
                return Result(names.TryGetValue(text, out var value), value, out error,
                    $"\"{text}\" must be one of: {string.Join(", ", names.Keys)}{(closest is null ? "" : $" (did you mean \"{closest}\"?)")}");
            },
        };

    /// <summary>A YAML double-quoted scalar (JSON string escaping is valid YAML).</summary>
    public static string Quote(string value) => $"\"{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";

    /// <summary>A YAML flow list of double-quoted scalars.</summary>
    public static string FlowList(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Quote))}]";

    private static string Bare(string plain) => plain;

    private static object? Accept(string text, out string? error)
    {
        error = null;
        return text;
    }

    private static IEnumerable<string> TagTexts(object value) =>
        ((IReadOnlyDictionary<string, string>)value).Select(t => t.Value.Length == 0 ? t.Key : $"{t.Key}={t.Value}");

    private static KeyKind DurationKind(bool? allowZero) => new(v => GoDuration.Format((TimeSpan)v), Bare)
    {
        Parse = (string text, out string? error) =>
        {
            if (!GoDuration.TryParse(text, out var value))
            {
                error = $"\"{text}\" is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. 30s, 5m, 1h30m, 250ms";
                return null;
            }

            error = allowZero is not { } zero || value > TimeSpan.Zero || (value == TimeSpan.Zero && zero) ? null
                : zero ? $"\"{text}\" must not be negative" : $"\"{text}\" must be greater than 0";
            return error is null ? value : null;
        },
    };

    private static object? Result<T>(bool parsed, T value, out string? error, string problem)
    {
        error = parsed ? null : problem;
        return parsed ? value : null;
    }
}
